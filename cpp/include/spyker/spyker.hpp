// spyker C++ API: an idiomatic C++17 layer over the cxx bridge (src/cxxbridge/, feature `cxx`).
//
// Names mirror the original Spyker C++ API (Tensor, Conv, FC, STDPConfig, BPConfig, Winner,
// random_seed, ...) so code written against it ports with few changes. Every Rust object is owned
// by an RAII object; every failing call throws spyker::Error with the status code and message the
// C ABI would report. Link with the CMake target spyker::cpp: it links the static library built
// with the bridge (the shared library carries the C ABI only).
//
// <spyker.h> is included for the status codes (SPK_STATUS_*) and for the C interop helpers at the
// end (Winner = spk_winner, to_c/from_c); everything else goes through the bridge.
#ifndef SPYKER_SPYKER_HPP
#define SPYKER_SPYKER_HPP

#include <spyker.h>
// cxx.h first: the generated header inlines only the parts of it that its declarations need
// (not rust::Error, which spyker::Error is rebuilt from).
#include <rust/cxx.h>
#include <spyker/bridge.rs.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace spyker {

/// A failed library call: the status and the library's message (what was expected, what was given).
class Error : public std::runtime_error {
  public:
    Error(spk_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    /// The C status code (SPK_STATUS_SHAPE, SPK_STATUS_DTYPE, ...).
    spk_status status() const noexcept { return status_; }

  private:
    spk_status status_;
};

namespace detail {
/// Rebuilds the library error from a bridge exception, whose text is "<status>:<message>"
/// (src/cxxbridge/error.rs).
inline Error from_rust(const rust::Error &e) {
    const char *what = e.what();
    char *end = nullptr;
    long status = std::strtol(what, &end, 10);
    if (end == what || *end != ':') return Error(SPK_STATUS_INTERNAL, what);
    return Error(spk_status(status), std::string(end + 1));
}
/// Runs a bridge call, turning its exception into spyker::Error.
template <class F> auto call(F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const rust::Error &e) {
        throw from_rust(e);
    }
}
/// A string argument as &str: Rust strings are UTF-8, so anything else is an argument error.
inline rust::Str str(const std::string &s, const char *name) {
    try {
        return rust::Str(s);
    } catch (const std::invalid_argument &) {
        throw Error(SPK_STATUS_ARGUMENT,
                    std::string("invalid argument: expected `") + name + "` in UTF-8, got other bytes");
    }
}
[[noreturn]] inline void empty(const char *what) {
    throw Error(SPK_STATUS_NULL_POINTER,
                std::string("null pointer: expected a non-empty `") + what +
                    "`, got an empty (default-constructed or moved-from) object");
}
/// Owns a Rust object (a rust::Box released into a raw pointer, so that the owner can be empty
/// after a move, like the original's handles).
template <class T> class Owned {
  public:
    Owned() = default;
    explicit Owned(rust::Box<T> b) noexcept : p_(b.into_raw()) {}
    Owned(const Owned &) = delete;
    Owned &operator=(const Owned &) = delete;
    Owned(Owned &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Owned &operator=(Owned &&o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Owned() {
        if (p_) rust::Box<T>::from_raw(p_);
    }
    T &get(const char *what) const {
        if (!p_) empty(what);
        return *p_;
    }
    T *ptr() const noexcept { return p_; }

  private:
    T *p_ = nullptr;
};
template <class T> rust::Slice<const T> slice(const std::vector<T> &v) {
    return rust::Slice<const T>(v.data(), v.size());
}
} // namespace detail

/// Element types, numbered as in the original (and the C enum spk_dtype).
enum class Type : int32_t { I8 = 0, I16, I32, I64, U8, U16, U32, U64, F16, F32, F64 };

/// Device kinds (the C enum spk_device_kind).
enum class Kind : int32_t { CPU = 0, CUDA = 1 };

/// A device: a kind and an index (-1 = the default device of the kind).
struct Device {
    Kind kind = Kind::CPU;
    int64_t index = -1;
    Device() = default;
    Device(Kind k, int64_t i = -1) : kind(k), index(i) {}
    bool operator==(const Device &o) const { return kind == o.kind && index == o.index; }
};

namespace detail {
inline bridge::DeviceSpec spec(const Device &d) { return bridge::DeviceSpec{int32_t(d.kind), d.index}; }
inline Device device(const bridge::DeviceSpec &d) { return Device(Kind(d.kind), d.index); }
} // namespace detail

/// The C++ element type of each Type (F16 has no portable C++17 type: use the raw uint16_t bits).
template <class T> struct TypeOf;
template <> struct TypeOf<int8_t> { static constexpr Type value = Type::I8; };
template <> struct TypeOf<int16_t> { static constexpr Type value = Type::I16; };
template <> struct TypeOf<int32_t> { static constexpr Type value = Type::I32; };
template <> struct TypeOf<int64_t> { static constexpr Type value = Type::I64; };
template <> struct TypeOf<uint8_t> { static constexpr Type value = Type::U8; };
template <> struct TypeOf<uint16_t> { static constexpr Type value = Type::U16; };
template <> struct TypeOf<uint32_t> { static constexpr Type value = Type::U32; };
template <> struct TypeOf<uint64_t> { static constexpr Type value = Type::U64; };
template <> struct TypeOf<float> { static constexpr Type value = Type::F32; };
template <> struct TypeOf<double> { static constexpr Type value = Type::F64; };

using Shape = std::vector<size_t>;

/// A 2-D extent (y, x): one value means both.
struct Expand2 {
    size_t y, x;
    Expand2(size_t a) : y(a), x(a) {}
    Expand2(size_t y_, size_t x_) : y(y_), x(x_) {}
    bridge::Ext2 to_bridge() const { return bridge::Ext2{y, x}; }
};

/// Padding (top, left, bottom, right): one value means all four, two mean (vertical, horizontal).
struct Expand4 {
    size_t top, left, bottom, right;
    Expand4(size_t a) : top(a), left(a), bottom(a), right(a) {}
    Expand4(size_t v, size_t h) : top(v), left(h), bottom(v), right(h) {}
    Expand4(size_t t, size_t l, size_t b, size_t r) : top(t), left(l), bottom(b), right(r) {}
    bridge::Ext4 to_bridge() const { return bridge::Ext4{top, left, bottom, right}; }
};

/// The library version, e.g. "0.1.0".
inline std::string version() { return std::string(bridge::version()); }
/// A library version as numbers.
struct Version {
    uint32_t major, minor, patch;
};
/// The library version as numbers (spk_version_numbers), e.g. {0, 1, 0}.
inline Version version_numbers() {
    bridge::VersionNumbers v = detail::call([] { return bridge::version_numbers(); });
    return Version{v.major, v.minor, v.patch};
}
/// Re-seeds the library generator (same kernels as the original after the same seed).
inline void random_seed(int64_t seed) { detail::call([&] { bridge::random_seed(seed); }); }
/// Sets the number of threads (<= 0: one per hardware thread).
inline void max_threads(int64_t threads) {
    detail::call([&] { bridge::set_max_threads(threads); });
}
/// The number of threads operations use.
inline size_t max_threads() { return detail::call([] { return bridge::max_threads(); }); }
/// True when a usable CUDA device is present.
inline bool cuda_available() { return detail::call([] { return bridge::cuda_available(); }); }
/// Drops cached state (rate-coding tables, compiled kernels).
inline void clear_context() { detail::call([] { bridge::clear_context(); }); }

/// A dense n-dimensional array. Like the original, copies are shallow: a copied Tensor (and views
/// from reshape/operator[]/slice) share memory; use copy() for an independent one.
class Tensor {
  public:
    /// An empty (null) tensor; most calls on it throw.
    Tensor() = default;
    /// A zero-filled tensor on the CPU.
    Tensor(Type type, const Shape &shape) : Tensor(Device(Kind::CPU), type, shape) {}
    /// A zero-filled tensor on `device`.
    Tensor(Device device, Type type, const Shape &shape)
        : h_(detail::call([&] {
              return bridge::tensor_zeros(detail::spec(device), int32_t(type), detail::slice(shape));
          })) {}
    /// Takes ownership of a bridge tensor.
    explicit Tensor(rust::Box<bridge::Tensor> t) noexcept : h_(std::move(t)) {}

    Tensor(const Tensor &o) {
        if (o.h_.ptr()) h_ = Owned(detail::call([&] { return bridge::tensor_share(*o.h_.ptr()); }));
    }
    Tensor(Tensor &&o) noexcept = default;
    Tensor &operator=(Tensor o) noexcept {
        h_ = std::move(o.h_);
        return *this;
    }
    ~Tensor() = default;

    /// A CPU tensor copying `data` (row-major).
    template <class T> static Tensor from(const std::vector<T> &data, const Shape &shape) {
        return from(data.data(), data.size(), shape);
    }
    /// A CPU tensor copying `count` elements at `data` (row-major).
    template <class T> static Tensor from(const T *data, size_t count, const Shape &shape) {
        rust::Slice<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(data), count * sizeof(T));
        return Tensor(detail::call([&] {
            return bridge::tensor_from_bytes(int32_t(TypeOf<T>::value), detail::slice(shape), bytes);
        }));
    }
    /// Wraps caller memory without copying; the memory must outlive every tensor using it.
    template <class T> static Tensor wrap(T *data, size_t count, const Shape &shape) {
        return Tensor(detail::call([&] {
            return bridge::tensor_wrap(reinterpret_cast<uint8_t *>(data), count * sizeof(T),
                                       int32_t(TypeOf<T>::value), detail::slice(shape));
        }));
    }

    explicit operator bool() const noexcept { return h_.ptr() != nullptr; }
    /// The bridge tensor (borrowed; still owned by this object). Throws on an empty tensor.
    const bridge::Tensor &get(const char *what = "tensor") const { return h_.get(what); }

    Shape shape() const {
        rust::Vec<size_t> s = detail::call([&] { return bridge::tensor_shape(get()); });
        return Shape(s.begin(), s.end());
    }
    size_t shape(size_t i) const { return shape().at(i); }
    size_t dims() const { return detail::call([&] { return bridge::tensor_rank(get()); }); }
    size_t numel() const { return detail::call([&] { return bridge::tensor_numel(get()); }); }
    size_t bytes() const { return detail::call([&] { return bridge::tensor_bytes(get()); }); }
    Type type() const { return Type(detail::call([&] { return bridge::tensor_dtype(get()); })); }
    Device device() const {
        return detail::device(detail::call([&] { return bridge::tensor_device(get()); }));
    }

    /// A view with a new shape (one extent may be -1).
    Tensor reshape(const std::vector<int64_t> &shape) const {
        return Tensor(detail::call([&] { return bridge::tensor_reshape(get(), detail::slice(shape)); }));
    }
    /// The view of slice `i` along dimension 0.
    Tensor operator[](int64_t i) const {
        return Tensor(detail::call([&] { return bridge::tensor_index(get(), i); }));
    }
    /// The view of slices start..end along dimension 0.
    Tensor slice(size_t start, size_t end) const {
        return Tensor(detail::call([&] { return bridge::tensor_slice(get(), start, end); }));
    }
    /// Sets every element to `value` converted to the tensor's type.
    Tensor &fill(double value) {
        detail::call([&] { bridge::tensor_fill(get(), value); });
        return *this;
    }
    /// fill() with an integer: exact for 64-bit integer tensors (a double holds only 53 bits).
    /// A separate name, because fill(1) would be ambiguous between double and int64_t.
    Tensor &fill_int(int64_t value) {
        detail::call([&] { bridge::tensor_fill_int(get(), value); });
        return *this;
    }
    /// This tensor converted to `type` (shared when it already has that type).
    Tensor to(Type type) const {
        return Tensor(detail::call([&] { return bridge::tensor_to_dtype(get(), int32_t(type)); }));
    }
    /// This tensor on `device` (shared when it is already there).
    Tensor to(Device device) const {
        return Tensor(
            detail::call([&] { return bridge::tensor_to_device(get(), detail::spec(device)); }));
    }
    /// Copies the elements of `other` into this tensor, converting the type.
    void to(const Tensor &other) {
        detail::call([&] { bridge::tensor_assign(get("dst"), other.get("src")); });
    }
    /// A deep copy.
    Tensor copy() const { return Tensor(detail::call([&] { return bridge::tensor_copy(get()); })); }
    /// The elements as a vector; T must match the tensor's type (else a dtype error).
    template <class T> std::vector<T> to_vector() const {
        std::vector<T> v(numel());
        rust::Slice<uint8_t> bytes(reinterpret_cast<uint8_t *>(v.data()), v.size() * sizeof(T));
        detail::call([&] { bridge::tensor_read(get(), int32_t(TypeOf<T>::value), bytes); });
        return v;
    }
    /// Copies `count` elements from `data` into the tensor; T must match the tensor's type.
    template <class T> void assign(const T *data, size_t count) {
        rust::Slice<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(data), count * sizeof(T));
        detail::call([&] { bridge::tensor_write(get(), int32_t(TypeOf<T>::value), bytes); });
    }
    /// True when both tensors view the same allocation.
    bool shares(const Tensor &o) const {
        return detail::call([&] { return bridge::tensor_same_storage(get(), o.get()); });
    }

  private:
    using Owned = detail::Owned<bridge::Tensor>;
    Owned h_;
};

/// STDP parameters (see spk_stdp_config).
struct STDPConfig {
    double positive = 0, negative = 0;
    bool stabilize = true;
    double lower = 0, upper = 1;
    STDPConfig() = default;
    STDPConfig(double pos, double neg, bool stab = true, double low = 0, double up = 1)
        : positive(pos), negative(neg), stabilize(stab), lower(low), upper(up) {}
    bridge::StdpConfig to_bridge() const {
        return bridge::StdpConfig{positive, negative, stabilize, lower, upper};
    }
    static STDPConfig from(const bridge::StdpConfig &c) {
        return STDPConfig(c.positive, c.negative, c.stabilize, c.lower, c.upper);
    }
};

/// Backpropagation parameters of FC (see spk_bp_config).
struct BPConfig {
    float sfactor = 1, lrate = 1, lrf = 1, lambda = 0;
    BPConfig() = default;
    BPConfig(float sf, float lr, float f, float lam) : sfactor(sf), lrate(lr), lrf(f), lambda(lam) {}
};

/// A selected neuron (the C struct spk_winner: c, t, z, y, x).
using Winner = spk_winner;
/// Winners per sample.
using Winners = std::vector<std::vector<Winner>>;

namespace detail {
inline std::vector<bridge::WinnerList> lists(const Winners &w) {
    std::vector<bridge::WinnerList> v(w.size());
    for (size_t s = 0; s < w.size(); s++) {
        v[s].items.reserve(w[s].size());
        for (const auto &x : w[s]) v[s].items.push_back(bridge::Winner{x.c, x.t, x.z, x.y, x.x});
    }
    return v;
}
inline Winners winners(const rust::Vec<bridge::WinnerList> &v) {
    Winners w(v.size());
    for (size_t s = 0; s < v.size(); s++)
        for (const auto &x : v[s].items) w[s].push_back(Winner{x.c, x.t, x.z, x.y, x.x});
    return w;
}
inline std::vector<STDPConfig> configs(const rust::Vec<bridge::StdpConfig> &v) {
    std::vector<STDPConfig> out;
    for (const auto &c : v) out.push_back(STDPConfig::from(c));
    return out;
}
inline std::vector<bridge::StdpConfig> configs(const std::vector<STDPConfig> &v) {
    std::vector<bridge::StdpConfig> out;
    for (const auto &c : v) out.push_back(c.to_bridge());
    return out;
}
} // namespace detail

/// A 2-D convolution layer with STDP. Move-only (it owns its layer).
class Conv {
  public:
    Conv(size_t input, size_t output, Expand2 kernel, Expand2 stride = 1, Expand4 pad = 0,
         double mean = .5, double std = .02, Device device = Device(Kind::CPU),
         Type type = Type::F32)
        : h_(detail::call([&] {
              return bridge::conv_new(input, output, kernel.to_bridge(), stride.to_bridge(),
                                      pad.to_bridge(), mean, std, detail::spec(device),
                                      int32_t(type));
          })) {}
    /// Forward pass: potentials [B, T, out, H', W'] of spikes `input` [B, T, in, H, W].
    Tensor operator()(const Tensor &input) const {
        return Tensor(detail::call([&] { return bridge::conv_forward(get(), input.get("input")); }));
    }
    /// Forward pass into `output`.
    void operator()(const Tensor &input, const Tensor &output) const {
        detail::call([&] {
            bridge::conv_forward_into(get(), input.get("input"), output.get("output"));
        });
    }
    /// STDP update of the kernel (winner.c selects the STDP configuration).
    void stdp(const Tensor &input, const Winners &winners, const Tensor &output) {
        auto w = detail::lists(winners);
        detail::call([&] {
            bridge::conv_stdp(get(), input.get("input"), detail::slice(w), output.get("output"));
        });
    }
    /// Rank-coded u8 output spikes [B, T, out, H', W'] of `input`: fire(conv(input), threshold),
    /// computed on spike times when `input` is rank-coded and the kernel non-negative f32
    /// (identical result either way).
    Tensor forward_fire(const Tensor &input, double threshold) const {
        return Tensor(detail::call(
            [&] { return bridge::conv_forward_fire(get(), input.get("input"), threshold); }));
    }
    /// infinite((*this)(input), value), convolving only the last time step (same result).
    Tensor forward_infinite(const Tensor &input, double value = 0) const {
        return Tensor(detail::call(
            [&] { return bridge::conv_forward_infinite(get(), input.get("input"), value); }));
    }
    /// First firing times u8 [B, out, H', W'] from input spike times u8 [B, in, H, W]
    /// (values <= time, time = never).
    Tensor forward_fire_times(const Tensor &times, size_t time, double threshold) const {
        return Tensor(detail::call([&] {
            return bridge::conv_forward_fire_times(get(), times.get("times"), time, threshold);
        }));
    }
    /// pool_times(forward_fire_times(times, time, threshold), time, pool_kernel, pool_stride,
    /// pool_pad) without the outputs no pooling window reads (pool_stride 0 = pool_kernel).
    Tensor forward_fire_pool_times(const Tensor &times, size_t time, double threshold,
                                   Expand2 pool_kernel, Expand2 pool_stride = 0,
                                   Expand4 pool_pad = 0) const {
        return Tensor(detail::call([&] {
            return bridge::conv_forward_fire_pool_times(
                get(), times.get("times"), time, threshold, pool_kernel.to_bridge(),
                pool_stride.to_bridge(), pool_pad.to_bridge());
        }));
    }
    /// One STDP training step, exactly: pot = (*this)(input); threshold(pot, threshold);
    /// inhibit(pot); winners = convwta(pot, radius, count); stdp(input, winners, fire(pot)).
    /// Runs on spike times (no potential frames) when `input` is rank-coded and the kernel
    /// non-negative f32. Returns the winners.
    Winners stdp_step(const Tensor &input, double threshold, Expand2 radius, size_t count) {
        return detail::winners(detail::call([&] {
            return bridge::conv_stdp_step(get(), input.get("input"), threshold, radius.to_bridge(),
                                          count);
        }));
    }
    /// stdp_step() on input spike times u8 [B, in, H, W] (values <= time, time = never).
    Winners stdp_step_times(const Tensor &times, size_t time, double threshold, Expand2 radius,
                            size_t count) {
        return detail::winners(detail::call([&] {
            return bridge::conv_stdp_step_times(get(), times.get("times"), time, threshold,
                                                radius.to_bridge(), count);
        }));
    }
    /// Saves the layer (kernel, stride, padding, STDP configurations) to a .npz file.
    void save(const std::string &path) const {
        detail::call([&] { bridge::conv_save(get(), detail::str(path, "path")); });
    }
    /// Loads a layer saved by save().
    static Conv load(const std::string &path) {
        return Conv(detail::call([&] { return bridge::conv_load(detail::str(path, "path")); }));
    }
    /// The kernel [out, in, kh, kw], sharing the layer's memory.
    Tensor kernel() const { return Tensor(detail::call([&] { return bridge::conv_kernel(get()); })); }
    /// Replaces the kernel (rank 4, float); the layer shares its memory.
    void kernel(const Tensor &k) {
        detail::call([&] { bridge::conv_set_kernel(get(), k.get("kernel")); });
    }
    /// The stride (rows, columns).
    Expand2 stride() const {
        bridge::ConvGeometry g = detail::call([&] { return bridge::conv_geometry(get()); });
        return Expand2(g.stride.y, g.stride.x);
    }
    /// The padding (top, left, bottom, right).
    Expand4 pad() const {
        bridge::ConvGeometry g = detail::call([&] { return bridge::conv_geometry(get()); });
        return Expand4(g.pad.top, g.pad.left, g.pad.bottom, g.pad.right);
    }
    /// The STDP configurations.
    std::vector<STDPConfig> stdpconfig() const {
        return detail::configs(detail::call([&] { return bridge::conv_stdp_configs(get()); }));
    }
    /// Replaces the STDP configurations.
    void stdpconfig(const std::vector<STDPConfig> &configs) {
        auto c = detail::configs(configs);
        detail::call([&] { bridge::conv_set_stdp_configs(get(), detail::slice(c)); });
    }
    /// The bridge layer (borrowed).
    bridge::Conv &get() const { return h_.get("conv"); }

  private:
    explicit Conv(rust::Box<bridge::Conv> b) noexcept : h_(std::move(b)) {}
    detail::Owned<bridge::Conv> h_;
};

/// A fully connected layer with STDP and backprop. Move-only.
class FC {
  public:
    FC(size_t input, size_t output, double mean = .5, double std = .02,
       Device device = Device(Kind::CPU), Type type = Type::F32)
        : h_(detail::call([&] {
              return bridge::fc_new(input, output, mean, std, detail::spec(device), int32_t(type));
          })) {}
    /// Forward pass: potentials [B, T, out] of spikes `input` [B, T, in].
    Tensor operator()(const Tensor &input, bool sign = false) const {
        return Tensor(
            detail::call([&] { return bridge::fc_forward(get(), input.get("input"), sign); }));
    }
    /// Forward pass into `output`.
    void operator()(const Tensor &input, const Tensor &output, bool sign = false) const {
        detail::call([&] {
            bridge::fc_forward_into(get(), input.get("input"), output.get("output"), sign);
        });
    }
    /// STDP update of the kernel; `zero_post_time` reproduces the original CPU build.
    void stdp(const Tensor &input, const Winners &winners, const Tensor &output,
              bool zero_post_time = false) {
        auto w = detail::lists(winners);
        detail::call([&] {
            bridge::fc_stdp(get(), input.get("input"), detail::slice(w), output.get("output"),
                            zero_post_time);
        });
    }
    /// One backprop step; returns the gradient for the previous layer.
    Tensor backward(const Tensor &input, const Tensor &output, const Tensor &grad) {
        return Tensor(detail::call([&] {
            return bridge::fc_backward(get(), input.get("input"), output.get("output"),
                                       grad.get("grad"));
        }));
    }
    /// backward() writing the gradient for the previous layer into `next` [B, I].
    void backward(const Tensor &input, const Tensor &output, const Tensor &grad,
                  const Tensor &next) {
        detail::call([&] {
            bridge::fc_backward_into(get(), input.get("input"), output.get("output"),
                                     grad.get("grad"), next.get("next"));
        });
    }
    /// Saves the layer to a .npz file.
    void save(const std::string &path) const {
        detail::call([&] { bridge::fc_save(get(), detail::str(path, "path")); });
    }
    /// Loads a layer saved by save().
    static FC load(const std::string &path) {
        return FC(detail::call([&] { return bridge::fc_load(detail::str(path, "path")); }));
    }
    /// The kernel [out, in], sharing the layer's memory.
    Tensor kernel() const { return Tensor(detail::call([&] { return bridge::fc_kernel(get()); })); }
    /// Replaces the kernel (rank 2, float).
    void kernel(const Tensor &k) {
        detail::call([&] { bridge::fc_set_kernel(get(), k.get("kernel")); });
    }
    std::vector<STDPConfig> stdpconfig() const {
        return detail::configs(detail::call([&] { return bridge::fc_stdp_configs(get()); }));
    }
    void stdpconfig(const std::vector<STDPConfig> &configs) {
        auto c = detail::configs(configs);
        detail::call([&] { bridge::fc_set_stdp_configs(get(), detail::slice(c)); });
    }
    BPConfig bpconfig() const {
        bridge::BpConfig c = detail::call([&] { return bridge::fc_bp_config(get()); });
        return BPConfig(c.sfactor, c.lrate, c.lrf, c.lambda);
    }
    void bpconfig(const BPConfig &b) {
        detail::call([&] {
            bridge::fc_set_bp_config(get(), bridge::BpConfig{b.sfactor, b.lrate, b.lrf, b.lambda});
        });
    }
    /// The bridge layer (borrowed).
    bridge::Fc &get() const { return h_.get("fc"); }

  private:
    explicit FC(rust::Box<bridge::Fc> b) noexcept : h_(std::move(b)) {}
    detail::Owned<bridge::Fc> h_;
};

/// Spike codings (the C enum spk_code).
enum class Code : int32_t { Rank = 0, Rate = 1 };

namespace detail {
inline Tensor tensor(rust::Box<bridge::Tensor> t) { return Tensor(std::move(t)); }
} // namespace detail

/// Runs a bridge call returning a new tensor.
#define SPYKER_TENSOR(expr) detail::tensor(detail::call([&] { return expr; }))
/// Runs a bridge call returning nothing.
#define SPYKER_DO(expr) detail::call([&] { expr; })

// ------------------------------------------------------------------------------ coding, neurons

/// Rank-order or rate coding of `input` [B, ...] over `time` steps: [B, time, ...] of `type`.
inline Tensor code(const Tensor &input, int64_t time, bool sort = true, Type type = Type::U8,
                   Code code = Code::Rank) {
    return SPYKER_TENSOR(
        bridge::encode(input.get("input"), time, sort, int32_t(type), int32_t(code)));
}
/// code() into `output` (its dtype chooses the element type).
inline void code(const Tensor &input, const Tensor &output, int64_t time, bool sort = true,
                 Code code = Code::Rank) {
    SPYKER_DO(bridge::encode_into(input.get("input"), output.get("output"), time, sort,
                                  int32_t(code)));
}
/// Sets every time step but the last to `value`; in place by default (like the original).
inline Tensor infinite(const Tensor &input, double value = 0, bool inplace = true) {
    if (inplace) {
        SPYKER_DO(bridge::infinite_inplace(input.get("input"), value));
        return input;
    }
    return SPYKER_TENSOR(bridge::infinite(input.get("input"), value));
}
/// Integrate-and-fire: potentials -> spikes (rank) or spike counts (rate) of `type`.
inline Tensor fire(const Tensor &input, double threshold = 0, Type type = Type::U8,
                   Code code = Code::Rank) {
    return SPYKER_TENSOR(
        bridge::fire(input.get("input"), threshold, int32_t(type), int32_t(code)));
}
/// fire() into `output`.
inline void fire(const Tensor &input, const Tensor &output, double threshold = 0,
                 Code code = Code::Rank) {
    SPYKER_DO(bridge::fire_into(input.get("input"), output.get("output"), threshold,
                                int32_t(code)));
}
/// Elements <= threshold become `value`; in place by default (like the original).
inline Tensor threshold(const Tensor &input, double threshold, double value = 0,
                        bool inplace = true) {
    if (inplace) {
        SPYKER_DO(bridge::threshold_inplace(input.get("input"), threshold, value));
        return input;
    }
    return SPYKER_TENSOR(bridge::threshold(input.get("input"), threshold, value));
}
/// Elements < middle become `lower`, the others `upper`; in place by default.
inline Tensor quantize(const Tensor &input, double lower, double middle, double upper,
                       bool inplace = true) {
    if (inplace) {
        SPYKER_DO(bridge::quantize_inplace(input.get("input"), lower, middle, upper));
        return input;
    }
    return SPYKER_TENSOR(bridge::quantize(input.get("input"), lower, middle, upper));
}
/// First spike time (rank) or final count (rate) of [B, T, ...] as [B, ...] of `type`.
inline Tensor gather(const Tensor &input, double threshold = 0, Type type = Type::U8,
                     Code code = Code::Rank) {
    return SPYKER_TENSOR(
        bridge::gather(input.get("input"), threshold, int32_t(type), int32_t(code)));
}
/// gather() into `output`.
inline void gather(const Tensor &input, const Tensor &output, double threshold = 0,
                   Code code = Code::Rank) {
    SPYKER_DO(bridge::gather_into(input.get("input"), output.get("output"), threshold,
                                  int32_t(code)));
}
/// First spike times [B, ...] -> cumulative spike trains [B, time, ...] of `type`.
inline Tensor scatter(const Tensor &input, size_t time, Type type = Type::U8) {
    return SPYKER_TENSOR(bridge::scatter(input.get("input"), time, int32_t(type)));
}
/// scatter() into `output` [B, time, ...].
inline void scatter(const Tensor &input, const Tensor &output) {
    SPYKER_DO(bridge::scatter_into(input.get("input"), output.get("output")));
}
/// Per-position winner-take-all across channels of [B, T, C, H, W]; in place by default.
inline Tensor inhibit(const Tensor &input, double threshold = 0, bool inplace = true) {
    if (inplace) {
        SPYKER_DO(bridge::inhibit_inplace(input.get("input"), threshold));
        return input;
    }
    return SPYKER_TENSOR(bridge::inhibit(input.get("input"), threshold));
}

// ------------------------------------------------------------------------------ pad, pool, conv

/// Constant padding of the two spatial axes.
inline Tensor pad(const Tensor &input, Expand4 pad, double value = 0) {
    return SPYKER_TENSOR(bridge::pad(input.get("input"), pad.to_bridge(), value));
}
/// pad() into `output`.
inline void pad(const Tensor &input, const Tensor &output, Expand4 pad, double value = 0) {
    SPYKER_DO(bridge::pad_into(input.get("input"), output.get("output"), pad.to_bridge(), value));
}
/// Max pooling (stride 0 = the kernel, like the original); `rates` (optional) selects by rate.
inline Tensor pool(const Tensor &input, Expand2 kernel, Expand2 stride = 0, Expand4 pad = 0,
                   const Tensor &rates = Tensor()) {
    if (rates)
        return SPYKER_TENSOR(bridge::pool_rates(input.get("input"), kernel.to_bridge(),
                                                stride.to_bridge(), pad.to_bridge(), rates.get()));
    return SPYKER_TENSOR(
        bridge::pool(input.get("input"), kernel.to_bridge(), stride.to_bridge(), pad.to_bridge()));
}
/// pool() into `output`.
inline void pool(const Tensor &input, const Tensor &output, Expand2 kernel, Expand2 stride = 0,
                 Expand4 pad = 0, const Tensor &rates = Tensor()) {
    if (rates)
        SPYKER_DO(bridge::pool_rates_into(input.get("input"), output.get("output"),
                                          kernel.to_bridge(), stride.to_bridge(), pad.to_bridge(),
                                          rates.get()));
    else
        SPYKER_DO(bridge::pool_into(input.get("input"), output.get("output"), kernel.to_bridge(),
                                    stride.to_bridge(), pad.to_bridge()));
}
/// 2-D convolution with `kernel` [K, C, kh, kw].
inline Tensor conv(const Tensor &input, const Tensor &kernel, Expand2 stride = 1,
                   Expand4 pad = 0) {
    return SPYKER_TENSOR(bridge::convolve(input.get("input"), kernel.get("kernel"),
                                          stride.to_bridge(), pad.to_bridge()));
}
/// conv() into `output`.
inline void conv(const Tensor &input, const Tensor &kernel, const Tensor &output,
                 Expand2 stride = 1, Expand4 pad = 0) {
    SPYKER_DO(bridge::convolve_into(input.get("input"), kernel.get("kernel"), output.get("output"),
                                    stride.to_bridge(), pad.to_bridge()));
}
/// Fully connected potentials with `kernel` [M, N].
inline Tensor fc(const Tensor &input, const Tensor &kernel, bool sign = false) {
    return SPYKER_TENSOR(bridge::fully_connected(input.get("input"), kernel.get("kernel"), sign));
}
/// fc() into `output`.
inline void fc(const Tensor &input, const Tensor &kernel, const Tensor &output,
               bool sign = false) {
    SPYKER_DO(bridge::fully_connected_into(input.get("input"), kernel.get("kernel"),
                                           output.get("output"), sign));
}

// ------------------------------------------------------------------------------ wta, learning

/// Up to `count` winners per sample of fully connected outputs [B, T, N].
inline Winners fcwta(const Tensor &input, size_t radius, size_t count, double threshold = 0) {
    return detail::winners(
        detail::call([&] { return bridge::fcwta(input.get("input"), radius, count, threshold); }));
}
/// Up to `count` winners per sample of convolution outputs [B, T, C, H, W].
inline Winners convwta(const Tensor &input, Expand2 radius, size_t count, double threshold = 0) {
    return detail::winners(detail::call([&] {
        return bridge::convwta(input.get("input"), radius.to_bridge(), count, threshold);
    }));
}
/// STDP on a convolution layer (the same as conv.stdp(...)).
inline void stdp(Conv &conv, const Tensor &input, const Winners &winners, const Tensor &output) {
    conv.stdp(input, winners, output);
}
/// Temporal error of the last layer: first-spike times [B, N] against i64 labels [B].
inline Tensor backward(const Tensor &input, const Tensor &target, size_t time, double gamma) {
    return SPYKER_TENSOR(bridge::backward(input.get("input"), target.get("target"), time, gamma));
}
/// backward() into `output` [B, N] (the input's type).
inline void backward(const Tensor &input, const Tensor &output, const Tensor &target, size_t time,
                     double gamma) {
    SPYKER_DO(bridge::backward_into(input.get("input"), output.get("output"), target.get("target"),
                                    time, gamma));
}
/// The predicted class of each sample of [B, T, N] (1-D i64).
inline Tensor labelize(const Tensor &input, double threshold) {
    return SPYKER_TENSOR(bridge::labelize(input.get("input"), threshold));
}
/// labelize() into `output` [B] (i64).
inline void labelize(const Tensor &input, const Tensor &output, double threshold) {
    SPYKER_DO(bridge::labelize_into(input.get("input"), output.get("output"), threshold));
}
/// Canny edges (u8, 255 on edges) of [B, C, H, W] images.
inline Tensor canny(const Tensor &input, double low, double high) {
    return SPYKER_TENSOR(bridge::canny(input.get("input"), low, high));
}
/// canny() into `output` (u8 [B, C, H, W]).
inline void canny(const Tensor &input, const Tensor &output, double low, double high) {
    SPYKER_DO(bridge::canny_into(input.get("input"), output.get("output"), low, high));
}

// ------------------------------------------------------------------------------ spike times
// The fast paths of rank-coded networks: spike times are u8 tensors holding each neuron's first
// firing step (`time` = never, time <= SPK_MAX_TIME). Results equal the dense compositions.

/// First-spike times u8 [B, ...] of rank-coded trains [B, T, ...]; std::nullopt when the input is
/// not rank-coded (a value other than 0/1, or a 1 followed by a 0).
inline std::optional<Tensor> rank_times(const Tensor &spikes) {
    auto l = detail::call([&] { return bridge::rank_times(spikes.get("spikes")); });
    if (detail::call([&] { return bridge::tensor_list_len(*l); }) == 0) return std::nullopt;
    return Tensor(detail::call([&] { return bridge::tensor_list_get(*l, 0); }));
}
/// Rank-order spike times u8 [B, ...] of `input` [B, ...] (time <= SPK_MAX_TIME, `time` = never):
/// gather(code(input, time, sort)) without the time frames.
inline Tensor code_times(const Tensor &input, size_t time, bool sort = true) {
    return SPYKER_TENSOR(bridge::code_times(input.get("input"), time, sort));
}
/// Cumulative u8 spike trains [B, time, ...] from spike times u8 [B, ...].
inline Tensor times_to_spikes(const Tensor &times, size_t time) {
    return SPYKER_TENSOR(bridge::times_to_spikes(times.get("times"), time));
}
/// First firing times u8 [B, K, H', W'] of a convolution with a non-negative float `kernel`
/// [K, C, kh, kw] from input spike times u8 [B, C, H, W]: gather(fire(conv(scatter(times)))).
inline Tensor conv_fire_times(const Tensor &times, size_t time, const Tensor &kernel,
                              Expand2 stride, Expand4 pad, double threshold) {
    return SPYKER_TENSOR(bridge::conv_fire_times(times.get("times"), time, kernel.get("kernel"),
                                                 stride.to_bridge(), pad.to_bridge(), threshold));
}
/// pool_times(conv_fire_times(times, time, kernel, stride, pad, threshold), time, pool_kernel,
/// pool_stride, pool_pad) without the convolution outputs no pooling window reads.
inline Tensor conv_fire_pool_times(const Tensor &times, size_t time, const Tensor &kernel,
                                   Expand2 stride, Expand4 pad, double threshold,
                                   Expand2 pool_kernel, Expand2 pool_stride = 0,
                                   Expand4 pool_pad = 0) {
    return SPYKER_TENSOR(bridge::conv_fire_pool_times(
        times.get("times"), time, kernel.get("kernel"), stride.to_bridge(), pad.to_bridge(),
        threshold, pool_kernel.to_bridge(), pool_stride.to_bridge(), pool_pad.to_bridge()));
}
/// fire(conv(input, kernel, stride, pad), threshold) as rank-coded u8 spikes [B, T, K, H', W'].
inline Tensor conv_fire_rank(const Tensor &input, const Tensor &kernel, Expand2 stride,
                             Expand4 pad, double threshold) {
    return SPYKER_TENSOR(bridge::conv_fire_rank(input.get("input"), kernel.get("kernel"),
                                                stride.to_bridge(), pad.to_bridge(), threshold));
}
/// infinite(conv(input, kernel, stride, pad), value), convolving only the last time step: the
/// same tensor [B, T, K, H', W'] with 1/T of the work.
inline Tensor conv_infinite(const Tensor &input, const Tensor &kernel, Expand2 stride = 1,
                            Expand4 pad = 0, double value = 0) {
    return SPYKER_TENSOR(bridge::conv_infinite(input.get("input"), kernel.get("kernel"),
                                               stride.to_bridge(), pad.to_bridge(), value));
}
/// Rank pooling on spike times (stride 0 = the kernel): the earliest time of each window.
inline Tensor pool_times(const Tensor &times, size_t time, Expand2 kernel, Expand2 stride = 0,
                         Expand4 pad = 0) {
    return SPYKER_TENSOR(bridge::pool_times(times.get("times"), time, kernel.to_bridge(),
                                            stride.to_bridge(), pad.to_bridge()));
}

// ------------------------------------------------------------------------------ filters, ZCA

/// Difference-of-Gaussians parameters (centre std1, surround std2).
struct DoGFilter {
    double std1, std2;
    DoGFilter(double s1, double s2) : std1(s1), std2(s2) {}
};
/// Gabor parameters (theta in degrees, psi in radians).
struct GaborFilter {
    double sigma, theta, gamma, lambda, psi;
    GaborFilter(double sg, double th, double gm, double lm, double ps)
        : sigma(sg), theta(th), gamma(gm), lambda(lm), psi(ps) {}
};

/// A difference-of-Gaussians filter bank (rectified). Move-only.
class DoG {
  public:
    DoG(size_t size, const std::vector<DoGFilter> &filters, Expand4 pad = 0,
        Device device = Device(Kind::CPU), Type type = Type::F32) {
        std::vector<bridge::DogFilter> f;
        for (const auto &x : filters) f.push_back(bridge::DogFilter{x.std1, x.std2});
        h_ = detail::Owned<bridge::Dog>(detail::call([&] {
            return bridge::dog_new(size, detail::slice(f), pad.to_bridge(), detail::spec(device),
                                   int32_t(type));
        }));
    }
    /// Filters images [B, C, H, W] into [B, C * F, H', W'].
    Tensor operator()(const Tensor &input) const {
        return SPYKER_TENSOR(bridge::dog_apply(h_.get("filter"), input.get("input")));
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        SPYKER_DO(bridge::dog_apply_into(h_.get("filter"), input.get("input"), output.get("output")));
    }
    /// The kernel, sharing the bank's memory.
    Tensor kernel() const { return SPYKER_TENSOR(bridge::dog_kernel(h_.get("filter"))); }

  private:
    detail::Owned<bridge::Dog> h_;
};

/// A Gabor filter bank. Move-only.
class Gabor {
  public:
    Gabor(size_t size, const std::vector<GaborFilter> &filters, Expand4 pad = 0,
          Device device = Device(Kind::CPU), Type type = Type::F32) {
        std::vector<bridge::GaborFilter> f;
        for (const auto &x : filters)
            f.push_back(bridge::GaborFilter{x.sigma, x.theta, x.gamma, x.lambda, x.psi});
        h_ = detail::Owned<bridge::Gabor>(detail::call([&] {
            return bridge::gabor_new(size, detail::slice(f), pad.to_bridge(), detail::spec(device),
                                     int32_t(type));
        }));
    }
    Tensor operator()(const Tensor &input) const {
        return SPYKER_TENSOR(bridge::gabor_apply(h_.get("filter"), input.get("input")));
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        SPYKER_DO(
            bridge::gabor_apply_into(h_.get("filter"), input.get("input"), output.get("output")));
    }
    Tensor kernel() const { return SPYKER_TENSOR(bridge::gabor_kernel(h_.get("filter"))); }

  private:
    detail::Owned<bridge::Gabor> h_;
};

/// A Laplacian-of-Gaussian filter bank (on/off channel per std). Move-only.
class LoG {
  public:
    LoG(size_t size, const std::vector<double> &stds, Expand4 pad = 0,
        Device device = Device(Kind::CPU), Type type = Type::F32)
        : h_(detail::call([&] {
              return bridge::log_new(size, detail::slice(stds), pad.to_bridge(),
                                     detail::spec(device), int32_t(type));
          })) {}
    Tensor operator()(const Tensor &input) const {
        return SPYKER_TENSOR(bridge::log_apply(h_.get("filter"), input.get("input")));
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        SPYKER_DO(bridge::log_apply_into(h_.get("filter"), input.get("input"), output.get("output")));
    }
    Tensor kernel() const { return SPYKER_TENSOR(bridge::log_kernel(h_.get("filter"))); }

  private:
    detail::Owned<bridge::Log> h_;
};

/// ZCA whitening. Move-only.
class ZCA {
  public:
    ZCA() : h_(detail::call([] { return bridge::zca_new(); })) {}
    /// A fitted module from a mean [D] and a transform [D, D] (copied as f32).
    static ZCA from_parts(const Tensor &mean, const Tensor &transform) {
        return ZCA(detail::call([&] {
            return bridge::zca_from_parts(mean.get("mean"), transform.get("transform"));
        }));
    }
    /// Learns mean and transform from [N, ...]; with `transform` whitens `input` in place.
    ZCA &fit(const Tensor &input, double epsilon, bool transform = false) {
        SPYKER_DO(bridge::zca_fit(h_.get("zca"), input.get("input"), epsilon, transform));
        return *this;
    }
    /// Whitens `input`, in place by default (like the original).
    Tensor operator()(const Tensor &input, bool inplace = true) const {
        if (inplace) {
            SPYKER_DO(bridge::zca_apply_inplace(h_.get("zca"), input.get("input")));
            return input;
        }
        return SPYKER_TENSOR(bridge::zca_apply(h_.get("zca"), input.get("input")));
    }
    /// Positive and negative parts [N, 2, ...].
    static Tensor split(const Tensor &input) {
        return SPYKER_TENSOR(bridge::zca_split(input.get("input")));
    }
    /// split() into `output` [N, 2, ...].
    static void split(const Tensor &input, const Tensor &output) {
        SPYKER_DO(bridge::zca_split_into(input.get("input"), output.get("output")));
    }
    Tensor mean() const { return SPYKER_TENSOR(bridge::zca_mean(h_.get("zca"))); }
    Tensor transform() const { return SPYKER_TENSOR(bridge::zca_transform(h_.get("zca"))); }
    void save(const std::string &path) const {
        SPYKER_DO(bridge::zca_save(h_.get("zca"), detail::str(path, "path")));
    }
    static ZCA load(const std::string &path) {
        return ZCA(detail::call([&] { return bridge::zca_load(detail::str(path, "path")); }));
    }

  private:
    explicit ZCA(rust::Box<bridge::Zca> b) noexcept : h_(std::move(b)) {}
    detail::Owned<bridge::Zca> h_;
};

// ------------------------------------------------------------------------------ files

/// An MNIST-style data set: u8 images [N, 1, rows, cols] and labels [N].
struct MNIST {
    Tensor train_images, train_labels, test_images, test_labels;
};

namespace detail {
using TensorList = rust::Box<bridge::TensorList>;
inline std::vector<std::pair<std::string, Tensor>> tensors(const TensorList &l) {
    std::vector<std::pair<std::string, Tensor>> v;
    size_t n = call([&] { return bridge::tensor_list_len(*l); });
    for (size_t i = 0; i < n; i++)
        v.emplace_back(std::string(call([&] { return bridge::tensor_list_name(*l, i); })),
                       Tensor(call([&] { return bridge::tensor_list_get(*l, i); })));
    return v;
}
inline TensorList named(const std::vector<std::pair<std::string, Tensor>> &items) {
    TensorList l = call([] { return bridge::tensor_list_new(); });
    for (const auto &it : items)
        call([&] { bridge::tensor_list_push(*l, str(it.first, "name"), it.second.get("tensor")); });
    return l;
}
inline MNIST mnist(const TensorList &l) {
    auto v = tensors(l);
    return MNIST{v.at(0).second, v.at(1).second, v.at(2).second, v.at(3).second};
}
inline std::vector<std::string> strings(const rust::Vec<rust::String> &v) {
    std::vector<std::string> out;
    for (const auto &s : v) out.emplace_back(std::string(s));
    return out;
}
} // namespace detail

/// Reads the four IDX files (raw or gzip).
inline MNIST read_mnist(const std::string &train_images, const std::string &train_labels,
                        const std::string &test_images, const std::string &test_labels) {
    return detail::mnist(detail::call([&] {
        return bridge::read_mnist(detail::str(train_images, "train_images"),
                                  detail::str(train_labels, "train_labels"),
                                  detail::str(test_images, "test_images"),
                                  detail::str(test_labels, "test_labels"));
    }));
}
/// Reads the four standard MNIST files from a folder.
inline MNIST load_mnist_dir(const std::string &dir) {
    return detail::mnist(
        detail::call([&] { return bridge::load_mnist_dir(detail::str(dir, "dir")); }));
}
/// One IDX image file as u8 [N, 1, rows, cols].
inline Tensor mnist_data(const std::string &path) {
    return SPYKER_TENSOR(bridge::mnist_data(detail::str(path, "path")));
}
/// One IDX label file as u8 [N].
inline Tensor mnist_label(const std::string &path) {
    return SPYKER_TENSOR(bridge::mnist_label(detail::str(path, "path")));
}
/// Reads an image as u8 [C, H, W]; `mode` "", "Y", "YA", "RGB" or "RGBA"; optional resize.
inline Tensor read_image(const std::string &path, const std::string &mode = "",
                         std::optional<Expand2> size = std::nullopt) {
    bridge::Ext2 s = size ? size->to_bridge() : bridge::Ext2{0, 0};
    return SPYKER_TENSOR(bridge::read_image(detail::str(path, "path"), detail::str(mode, "mode"),
                                            s, size.has_value()));
}
/// read_image() into a u8 `output` of exactly the resulting shape [C, H, W] (the argument order
/// of spk_read_image_into).
inline void read_image(const Tensor &output, const std::string &path, const std::string &mode = "",
                       std::optional<Expand2> size = std::nullopt) {
    bridge::Ext2 s = size ? size->to_bridge() : bridge::Ext2{0, 0};
    SPYKER_DO(bridge::read_image_into(output.get("output"), detail::str(path, "path"),
                                      detail::str(mode, "mode"), s, size.has_value()));
}
/// Writes u8 [C, H, W] as "PNG", "BMP", "TGA" or "JPG".
inline void write_image(const Tensor &input, const std::string &path,
                        const std::string &format = "PNG") {
    SPYKER_DO(bridge::write_image(input.get("input"), detail::str(path, "path"),
                                  detail::str(format, "format")));
}

/// A reader of delimited text lines (the original's Helper::CSV). Move-only.
class CSV {
  public:
    /// `original_split` reproduces the original's multi-character delimiter quirk.
    explicit CSV(const std::string &path, const std::string &delim = ",",
                 bool original_split = false)
        : h_(detail::call([&] {
              return bridge::csv_open(detail::str(path, "path"), detail::str(delim, "delim"),
                                      original_split);
          })) {}
    /// Reads the next line's fields; false at the end of the file.
    bool readline(std::vector<std::string> &fields) {
        rust::Vec<rust::String> f;
        if (!detail::call([&] { return bridge::csv_readline(h_.get("csv"), f); })) return false;
        fields = detail::strings(f);
        return true;
    }
    /// Skips up to `count` lines; returns how many were skipped.
    size_t skip(size_t count) {
        return detail::call([&] { return bridge::csv_skip(h_.get("csv"), count); });
    }

  private:
    detail::Owned<bridge::Csv> h_;
};
/// The fields of the first non-empty line of `path` (empty for a file without one);
/// `original_split` as for CSV.
inline std::vector<std::string> read_csv(const std::string &path, const std::string &delim = ",",
                                         bool original_split = false) {
    return detail::strings(detail::call([&] {
        return bridge::read_csv(detail::str(path, "path"), detail::str(delim, "delim"),
                                original_split);
    }));
}
/// Every array of a .npz file, in file order.
inline std::vector<std::pair<std::string, Tensor>> npz_read(const std::string &path) {
    return detail::tensors(detail::call([&] { return bridge::npz_read(detail::str(path, "path")); }));
}
/// Writes named tensors to a .npz file.
inline void npz_write(const std::string &path,
                      const std::vector<std::pair<std::string, Tensor>> &items) {
    auto l = detail::named(items);
    SPYKER_DO(bridge::npz_write(detail::str(path, "path"), *l));
}
/// Saves named tensors (e.g. a network's kernels) to one model file.
inline void save_layers(const std::string &path,
                        const std::vector<std::pair<std::string, Tensor>> &items) {
    auto l = detail::named(items);
    SPYKER_DO(bridge::layers_save(detail::str(path, "path"), *l));
}
/// Loads every tensor of a model file.
inline std::vector<std::pair<std::string, Tensor>> load_layers(const std::string &path) {
    return detail::tensors(
        detail::call([&] { return bridge::layers_load(detail::str(path, "path")); }));
}

// ------------------------------------------------------------------------------ runtime (CUDA)

/// The number of usable CUDA devices.
inline size_t cuda_device_count() { return detail::call([] { return bridge::cuda_device_count(); }); }
/// Every device: the CPU first, then the CUDA devices.
inline std::vector<Device> all_devices() {
    std::vector<Device> v;
    for (const auto &d : detail::call([] { return bridge::all_devices(); }))
        v.push_back(detail::device(d));
    return v;
}
inline void cuda_set_device(int64_t index) { SPYKER_DO(bridge::cuda_set_device(index)); }
inline int64_t cuda_current_device() {
    return detail::call([] { return bridge::cuda_current_device(); });
}
inline std::vector<int32_t> cuda_arch_list() {
    rust::Vec<int32_t> v = detail::call([] { return bridge::cuda_arch_list(); });
    return std::vector<int32_t>(v.begin(), v.end());
}
inline int32_t cuda_device_arch(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_device_arch(index); });
}
inline size_t cuda_memory_total(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_memory_total(index); });
}
inline size_t cuda_memory_free(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_memory_free(index); });
}
inline size_t cuda_memory_taken(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_memory_taken(index); });
}
inline size_t cuda_memory_used(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_memory_used(index); });
}
inline bool cuda_cache_enabled(int64_t index = 0) {
    return detail::call([&] { return bridge::cuda_cache_enabled(index); });
}
inline void cuda_cache_enable(bool enable = true, int64_t index = 0) {
    SPYKER_DO(bridge::cuda_cache_enable(enable, index));
}
inline void cuda_cache_clear(int64_t index = 0) { SPYKER_DO(bridge::cuda_cache_clear(index)); }
/// The counters of a CUDA device's caching allocator (spk_cache_stats): bytes taken from the
/// driver, used by live tensors, cached; cached blocks; cache hits and misses (counts).
struct CacheStats {
    int64_t device = 0;
    bool enabled = false;
    size_t taken = 0, used = 0, cached = 0, cached_blocks = 0;
    uint64_t hits = 0, misses = 0;
};
inline CacheStats cuda_cache_stats(int64_t index = 0) {
    bridge::CacheStats s = detail::call([&] { return bridge::cuda_cache_stats(index); });
    CacheStats c;
    c.device = s.device;
    c.enabled = s.enabled;
    c.taken = s.taken;
    c.used = s.used;
    c.cached = s.cached;
    c.cached_blocks = s.cached_blocks;
    c.hits = s.hits;
    c.misses = s.misses;
    return c;
}
inline void cuda_cache_print(int64_t index = 0) { SPYKER_DO(bridge::cuda_cache_print(index)); }
inline void cuda_synchronize(int64_t index = 0) { SPYKER_DO(bridge::cuda_synchronize(index)); }

#undef SPYKER_TENSOR
#undef SPYKER_DO

// ------------------------------------------------------------------------------ C interop
// For programs that also use the C ABI: winner lists cross between the two APIs through the C
// functions (libspyker.a carries the C ABI too).

namespace detail {
inline void check(spk_status s) {
    if (s != SPK_STATUS_OK) throw Error(s, spk_last_error_message());
}
} // namespace detail

/// Converts winners to a C list; the caller frees it with spk_winners_free.
inline spk_winners *to_c(const Winners &w) {
    spk_winners *h = nullptr;
    detail::check(spk_winners_create(w.size(), &h));
    for (size_t s = 0; s < w.size(); s++)
        for (const auto &x : w[s]) {
            spk_status st = spk_winners_push(h, s, &x);
            if (st != SPK_STATUS_OK) {
                Error e(st, spk_last_error_message());
                spk_winners_free(h);
                throw e;
            }
        }
    return h;
}

/// Converts a C winner list (borrowed) to Winners.
inline Winners from_c(const spk_winners *w) {
    size_t batch = 0;
    detail::check(spk_winners_batch(w, &batch));
    Winners out(batch);
    for (size_t s = 0; s < batch; s++) {
        size_t n = 0;
        detail::check(spk_winners_count(w, s, &n));
        out[s].resize(n);
        for (size_t i = 0; i < n; i++) detail::check(spk_winners_get(w, s, i, &out[s][i]));
    }
    return out;
}

} // namespace spyker

#endif // SPYKER_SPYKER_HPP
