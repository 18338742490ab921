// spyker C++ API: a header-only, idiomatic wrapper over the C ABI (<spyker.h>), C++17.
//
// Names mirror the original Spyker C++ API (Tensor, Conv, FC, STDPConfig, BPConfig, Winner,
// random_seed, ...) so code written against it ports with few changes. Every handle is owned by
// an RAII object; every failing call throws spyker::Error carrying the library's message.
// Link with the CMake target spyker::cpp (or -lspyker): the wrapper needs only the shared library.
#ifndef SPYKER_SPYKER_HPP
#define SPYKER_SPYKER_HPP

#include <spyker.h>

#include <cstddef>
#include <cstdint>
#include <algorithm>
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
inline void check(spk_status s) {
    if (s != SPK_STATUS_OK) throw Error(s, spk_last_error_message());
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
};

/// Padding (top, left, bottom, right): one value means all four, two mean (vertical, horizontal).
struct Expand4 {
    size_t top, left, bottom, right;
    Expand4(size_t a) : top(a), left(a), bottom(a), right(a) {}
    Expand4(size_t v, size_t h) : top(v), left(h), bottom(v), right(h) {}
    Expand4(size_t t, size_t l, size_t b, size_t r) : top(t), left(l), bottom(b), right(r) {}
};

/// The library version, e.g. "0.1.0".
inline std::string version() { return spk_version(); }
/// Re-seeds the library generator (same kernels as the original after the same seed).
inline void random_seed(int64_t seed) { detail::check(spk_random_seed(seed)); }
/// Sets the number of threads (<= 0: one per hardware thread).
inline void max_threads(int64_t threads) { detail::check(spk_set_max_threads(threads)); }
/// The number of threads operations use.
inline size_t max_threads() {
    size_t n = 0;
    detail::check(spk_max_threads(&n));
    return n;
}
/// True when a usable CUDA device is present.
inline bool cuda_available() {
    bool b = false;
    detail::check(spk_cuda_available(&b));
    return b;
}
/// Drops cached state (rate-coding tables, compiled kernels).
inline void clear_context() { detail::check(spk_clear_context()); }

/// A dense n-dimensional array. Like the original, copies are shallow: a copied Tensor (and views
/// from reshape/operator[]/slice) share memory; use copy() for an independent one.
class Tensor {
  public:
    /// An empty (null) tensor; most calls on it throw.
    Tensor() = default;
    /// A zero-filled tensor on the CPU.
    Tensor(Type type, const Shape &shape) {
        detail::check(spk_tensor_create(int32_t(type), shape.data(), shape.size(), &h_));
    }
    /// A zero-filled tensor on `device`.
    Tensor(Device device, Type type, const Shape &shape) {
        detail::check(spk_tensor_create_on(int32_t(device.kind), device.index, int32_t(type),
                                           shape.data(), shape.size(), &h_));
    }
    /// Takes ownership of a C handle (it is freed by this object).
    explicit Tensor(spk_tensor *handle) noexcept : h_(handle) {}

    Tensor(const Tensor &o) : h_(nullptr) {
        if (o.h_) detail::check(spk_tensor_to_dtype(o.h_, int32_t(o.type()), &h_));
    }
    Tensor(Tensor &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    Tensor &operator=(Tensor o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    ~Tensor() { spk_tensor_free(h_); }

    /// A CPU tensor copying `data` (row-major).
    template <class T> static Tensor from(const std::vector<T> &data, const Shape &shape) {
        return from(data.data(), data.size(), shape);
    }
    /// A CPU tensor copying `count` elements at `data` (row-major).
    template <class T> static Tensor from(const T *data, size_t count, const Shape &shape) {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_from_data(int32_t(TypeOf<T>::value), shape.data(), shape.size(),
                                           data, count * sizeof(T), &h));
        return Tensor(h);
    }
    /// Wraps caller memory without copying; the memory must outlive every tensor using it.
    template <class T> static Tensor wrap(T *data, size_t count, const Shape &shape) {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_wrap(data, count * sizeof(T), int32_t(TypeOf<T>::value),
                                      shape.data(), shape.size(), nullptr, nullptr, &h));
        return Tensor(h);
    }

    explicit operator bool() const noexcept { return h_ != nullptr; }
    /// The C handle (borrowed; still owned by this object).
    spk_tensor *handle() const noexcept { return h_; }
    /// Gives up ownership of the C handle.
    spk_tensor *release() noexcept { return std::exchange(h_, nullptr); }

    Shape shape() const {
        size_t r = dims();
        Shape s(r);
        detail::check(spk_tensor_shape(h_, s.data(), s.size()));
        return s;
    }
    size_t shape(size_t i) const { return shape().at(i); }
    size_t dims() const {
        size_t r = 0;
        detail::check(spk_tensor_rank(h_, &r));
        return r;
    }
    size_t numel() const {
        size_t n = 0;
        detail::check(spk_tensor_numel(h_, &n));
        return n;
    }
    size_t bytes() const {
        size_t n = 0;
        detail::check(spk_tensor_bytes(h_, &n));
        return n;
    }
    Type type() const {
        int32_t t = 0;
        detail::check(spk_tensor_dtype(h_, &t));
        return Type(t);
    }
    Device device() const {
        int32_t k = 0;
        int64_t i = 0;
        detail::check(spk_tensor_device(h_, &k, &i));
        return Device(Kind(k), i);
    }

    /// A view with a new shape (one extent may be -1).
    Tensor reshape(const std::vector<int64_t> &shape) const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_reshape(h_, shape.data(), shape.size(), &h));
        return Tensor(h);
    }
    /// The view of slice `i` along dimension 0.
    Tensor operator[](int64_t i) const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_index(h_, i, &h));
        return Tensor(h);
    }
    /// The view of slices start..end along dimension 0.
    Tensor slice(size_t start, size_t end) const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_slice(h_, start, end, &h));
        return Tensor(h);
    }
    /// Sets every element to `value` converted to the tensor's type.
    Tensor &fill(double value) {
        detail::check(spk_tensor_fill(h_, value));
        return *this;
    }
    /// This tensor converted to `type` (shared when it already has that type).
    Tensor to(Type type) const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_to_dtype(h_, int32_t(type), &h));
        return Tensor(h);
    }
    /// This tensor on `device` (shared when it is already there).
    Tensor to(Device device) const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_to_device(h_, int32_t(device.kind), device.index, &h));
        return Tensor(h);
    }
    /// Copies the elements of `other` into this tensor, converting the type.
    void to(const Tensor &other) { detail::check(spk_tensor_assign(h_, other.h_)); }
    /// A deep copy.
    Tensor copy() const {
        spk_tensor *h = nullptr;
        detail::check(spk_tensor_copy(h_, &h));
        return Tensor(h);
    }
    /// The elements as a vector; T must match the tensor's type.
    template <class T> std::vector<T> to_vector() const {
        if (type() != TypeOf<T>::value)
            throw Error(SPK_STATUS_DTYPE, "dtype error: to_vector<T> with T not the tensor's type");
        std::vector<T> v(numel());
        detail::check(spk_tensor_read(h_, v.data(), v.size() * sizeof(T)));
        return v;
    }
    /// Copies `count` elements from `data` into the tensor; T must match the tensor's type.
    template <class T> void assign(const T *data, size_t count) {
        if (type() != TypeOf<T>::value)
            throw Error(SPK_STATUS_DTYPE, "dtype error: assign<T> with T not the tensor's type");
        detail::check(spk_tensor_write(h_, data, count * sizeof(T)));
    }
    /// True when both tensors view the same allocation.
    bool shares(const Tensor &o) const {
        bool b = false;
        detail::check(spk_tensor_same_storage(h_, o.h_, &b));
        return b;
    }

  private:
    spk_tensor *h_ = nullptr;
};

/// STDP parameters (see spk_stdp_config).
struct STDPConfig {
    double positive = 0, negative = 0;
    bool stabilize = true;
    double lower = 0, upper = 1;
    STDPConfig() = default;
    STDPConfig(double pos, double neg, bool stab = true, double low = 0, double up = 1)
        : positive(pos), negative(neg), stabilize(stab), lower(low), upper(up) {}

    spk_stdp_config to_c() const {
        spk_stdp_config c;
        detail::check(spk_stdp_config_init(&c, sizeof c));
        c.positive = positive;
        c.negative = negative;
        c.stabilize = stabilize;
        c.lower = lower;
        c.upper = upper;
        return c;
    }
    static STDPConfig from_c(const spk_stdp_config &c) {
        return STDPConfig(c.positive, c.negative, c.stabilize, c.lower, c.upper);
    }
};

/// Backpropagation parameters of FC (see spk_bp_config).
struct BPConfig {
    float sfactor = 1, lrate = 1, lrf = 1, lambda = 0;
    BPConfig() = default;
    BPConfig(float sf, float lr, float f, float lam) : sfactor(sf), lrate(lr), lrf(f), lambda(lam) {}
};

/// A selected neuron (the C struct spk_winner).
using Winner = spk_winner;
/// Winners per sample.
using Winners = std::vector<std::vector<Winner>>;

namespace detail {
/// Moves the handle of a C object between RAII owners.
template <class H, void (*Free)(H *)> class Handle {
  public:
    Handle() = default;
    explicit Handle(H *h) noexcept : h_(h) {}
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    Handle(Handle &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    Handle &operator=(Handle &&o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    ~Handle() { Free(h_); }
    H *get() const noexcept { return h_; }
    H **out() noexcept { return &h_; }

  private:
    H *h_ = nullptr;
};

} // namespace detail

/// A 2-D convolution layer with STDP. Move-only (it owns its layer).
class Conv {
  public:
    Conv(size_t input, size_t output, Expand2 kernel, Expand2 stride = 1, Expand4 pad = 0,
         double mean = .5, double std = .02, Device device = Device(Kind::CPU),
         Type type = Type::F32) {
        spk_conv_options o;
        detail::check(spk_conv_options_init(&o, sizeof o));
        o.insize = input;
        o.outsize = output;
        o.kernel[0] = kernel.y;
        o.kernel[1] = kernel.x;
        o.stride[0] = stride.y;
        o.stride[1] = stride.x;
        o.pad[0] = pad.top;
        o.pad[1] = pad.left;
        o.pad[2] = pad.bottom;
        o.pad[3] = pad.right;
        o.mean = mean;
        o.std = std;
        o.device_kind = int32_t(device.kind);
        o.device_index = device.index;
        o.dtype = int32_t(type);
        detail::check(spk_conv_create(&o, h_.out()));
    }
    /// Takes ownership of a C layer handle.
    explicit Conv(spk_conv *handle) noexcept : h_(handle) {}
    /// Forward pass: potentials [B, T, out, H', W'] of spikes `input` [B, T, in, H, W].
    Tensor operator()(const Tensor &input) const;
    /// Forward pass into `output`.
    void operator()(const Tensor &input, const Tensor &output) const;
    /// STDP update of the kernel (winner.c selects the STDP configuration).
    void stdp(const Tensor &input, const Winners &winners, const Tensor &output);
    /// Saves the layer (kernel, stride, padding, STDP configurations) to a .npz file.
    void save(const std::string &path) const;
    /// Loads a layer saved by save().
    static Conv load(const std::string &path);
    /// The kernel [out, in, kh, kw], sharing the layer's memory.
    Tensor kernel() const {
        spk_tensor *t = nullptr;
        detail::check(spk_conv_kernel(h_.get(), &t));
        return Tensor(t);
    }
    /// Replaces the kernel (rank 4, float); the layer shares its memory.
    void kernel(const Tensor &k) { detail::check(spk_conv_set_kernel(h_.get(), k.handle())); }
    /// The STDP configurations.
    std::vector<STDPConfig> stdpconfig() const {
        size_t n = 0;
        detail::check(spk_conv_stdp_count(h_.get(), &n));
        std::vector<STDPConfig> v;
        for (size_t i = 0; i < n; i++) {
            spk_stdp_config c;
            detail::check(spk_stdp_config_init(&c, sizeof c));
            detail::check(spk_conv_stdp_get(h_.get(), i, &c));
            v.push_back(STDPConfig::from_c(c));
        }
        return v;
    }
    /// Replaces the STDP configurations.
    void stdpconfig(const std::vector<STDPConfig> &configs) {
        detail::check(spk_conv_stdp_clear(h_.get()));
        for (const auto &c : configs) {
            spk_stdp_config cc = c.to_c();
            detail::check(spk_conv_stdp_add(h_.get(), &cc));
        }
    }
    spk_conv *handle() const noexcept { return h_.get(); }

  private:
    detail::Handle<spk_conv, spk_conv_free> h_;
};

/// A fully connected layer with STDP and backprop. Move-only.
class FC {
  public:
    FC(size_t input, size_t output, double mean = .5, double std = .02,
       Device device = Device(Kind::CPU), Type type = Type::F32) {
        spk_fc_options o;
        detail::check(spk_fc_options_init(&o, sizeof o));
        o.insize = input;
        o.outsize = output;
        o.mean = mean;
        o.std = std;
        o.device_kind = int32_t(device.kind);
        o.device_index = device.index;
        o.dtype = int32_t(type);
        detail::check(spk_fc_create(&o, h_.out()));
    }
    /// Takes ownership of a C layer handle.
    explicit FC(spk_fc *handle) noexcept : h_(handle) {}
    /// Forward pass: potentials [B, T, out] of spikes `input` [B, T, in].
    Tensor operator()(const Tensor &input, bool sign = false) const;
    /// Forward pass into `output`.
    void operator()(const Tensor &input, const Tensor &output, bool sign = false) const;
    /// STDP update of the kernel; `zero_post_time` reproduces the original CPU build.
    void stdp(const Tensor &input, const Winners &winners, const Tensor &output,
              bool zero_post_time = false);
    /// One backprop step; returns the gradient for the previous layer.
    Tensor backward(const Tensor &input, const Tensor &output, const Tensor &grad);
    /// Saves the layer to a .npz file.
    void save(const std::string &path) const;
    /// Loads a layer saved by save().
    static FC load(const std::string &path);
    /// The kernel [out, in], sharing the layer's memory.
    Tensor kernel() const {
        spk_tensor *t = nullptr;
        detail::check(spk_fc_kernel(h_.get(), &t));
        return Tensor(t);
    }
    /// Replaces the kernel (rank 2, float).
    void kernel(const Tensor &k) { detail::check(spk_fc_set_kernel(h_.get(), k.handle())); }
    std::vector<STDPConfig> stdpconfig() const {
        size_t n = 0;
        detail::check(spk_fc_stdp_count(h_.get(), &n));
        std::vector<STDPConfig> v;
        for (size_t i = 0; i < n; i++) {
            spk_stdp_config c;
            detail::check(spk_stdp_config_init(&c, sizeof c));
            detail::check(spk_fc_stdp_get(h_.get(), i, &c));
            v.push_back(STDPConfig::from_c(c));
        }
        return v;
    }
    void stdpconfig(const std::vector<STDPConfig> &configs) {
        detail::check(spk_fc_stdp_clear(h_.get()));
        for (const auto &c : configs) {
            spk_stdp_config cc = c.to_c();
            detail::check(spk_fc_stdp_add(h_.get(), &cc));
        }
    }
    BPConfig bpconfig() const {
        spk_bp_config c;
        detail::check(spk_bp_config_init(&c, sizeof c));
        detail::check(spk_fc_bp_get(h_.get(), &c));
        return BPConfig(c.sfactor, c.lrate, c.lrf, c.lambda);
    }
    void bpconfig(const BPConfig &b) {
        spk_bp_config c;
        detail::check(spk_bp_config_init(&c, sizeof c));
        c.sfactor = b.sfactor;
        c.lrate = b.lrate;
        c.lrf = b.lrf;
        c.lambda = b.lambda;
        detail::check(spk_fc_bp_set(h_.get(), &c));
    }
    spk_fc *handle() const noexcept { return h_.get(); }

  private:
    detail::Handle<spk_fc, spk_fc_free> h_;
};

/// Converts winners to the C list (for the op wrappers; the caller frees it with spk_winners_free).
inline spk_winners *to_c(const Winners &w) {
    detail::Handle<spk_winners, spk_winners_free> h;
    detail::check(spk_winners_create(w.size(), h.out()));
    for (size_t s = 0; s < w.size(); s++)
        for (const auto &x : w[s]) detail::check(spk_winners_push(h.get(), s, &x));
    spk_winners *raw = h.get();
    *h.out() = nullptr;
    return raw;
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

namespace detail {
using WinnersHandle = Handle<spk_winners, spk_winners_free>;
inline Tensor adopt(spk_tensor *h) { return Tensor(h); }
inline const size_t *opt2(const Expand2 &e, size_t (&buf)[2]) {
    buf[0] = e.y;
    buf[1] = e.x;
    return buf;
}
inline const size_t *opt4(const Expand4 &e, size_t (&buf)[4]) {
    buf[0] = e.top;
    buf[1] = e.left;
    buf[2] = e.bottom;
    buf[3] = e.right;
    return buf;
}
inline Winners take(spk_winners *raw) {
    WinnersHandle h(raw);
    return from_c(h.get());
}
} // namespace detail

/// Spike codings (the C enum spk_code).
enum class Code : int32_t { Rank = 0, Rate = 1 };

// ------------------------------------------------------------------------------ coding, neurons

/// Rank-order or rate coding of `input` [B, ...] over `time` steps: [B, time, ...] of `type`.
inline Tensor code(const Tensor &input, int64_t time, bool sort = true, Type type = Type::U8,
                   Code code = Code::Rank) {
    spk_tensor *h = nullptr;
    detail::check(spk_encode(input.handle(), time, sort, int32_t(type), int32_t(code), &h));
    return Tensor(h);
}
/// code() into `output` (its dtype chooses the element type).
inline void code(const Tensor &input, const Tensor &output, int64_t time, bool sort = true,
                 Code code = Code::Rank) {
    detail::check(spk_encode_into(input.handle(), output.handle(), time, sort, int32_t(code)));
}
/// Sets every time step but the last to `value`; in place by default (like the original).
inline Tensor infinite(const Tensor &input, double value = 0, bool inplace = true) {
    if (inplace) {
        detail::check(spk_infinite_inplace(input.handle(), value));
        return input;
    }
    spk_tensor *h = nullptr;
    detail::check(spk_infinite(input.handle(), value, &h));
    return Tensor(h);
}
/// Integrate-and-fire: potentials -> spikes (rank) or spike counts (rate) of `type`.
inline Tensor fire(const Tensor &input, double threshold = 0, Type type = Type::U8,
                   Code code = Code::Rank) {
    spk_tensor *h = nullptr;
    detail::check(spk_fire(input.handle(), threshold, int32_t(type), int32_t(code), &h));
    return Tensor(h);
}
/// fire() into `output`.
inline void fire(const Tensor &input, const Tensor &output, double threshold = 0,
                 Code code = Code::Rank) {
    detail::check(spk_fire_into(input.handle(), output.handle(), threshold, int32_t(code)));
}
/// Elements <= threshold become `value`; in place by default (like the original).
inline Tensor threshold(const Tensor &input, double threshold, double value = 0,
                        bool inplace = true) {
    if (inplace) {
        detail::check(spk_threshold_inplace(input.handle(), threshold, value));
        return input;
    }
    spk_tensor *h = nullptr;
    detail::check(spk_threshold(input.handle(), threshold, value, &h));
    return Tensor(h);
}
/// Elements < middle become `lower`, the others `upper`; in place by default.
inline Tensor quantize(const Tensor &input, double lower, double middle, double upper,
                       bool inplace = true) {
    if (inplace) {
        detail::check(spk_quantize_inplace(input.handle(), lower, middle, upper));
        return input;
    }
    spk_tensor *h = nullptr;
    detail::check(spk_quantize(input.handle(), lower, middle, upper, &h));
    return Tensor(h);
}
/// First spike time (rank) or final count (rate) of [B, T, ...] as [B, ...] of `type`.
inline Tensor gather(const Tensor &input, double threshold = 0, Type type = Type::U8,
                     Code code = Code::Rank) {
    spk_tensor *h = nullptr;
    detail::check(spk_gather(input.handle(), threshold, int32_t(type), int32_t(code), &h));
    return Tensor(h);
}
/// gather() into `output`.
inline void gather(const Tensor &input, const Tensor &output, double threshold = 0,
                   Code code = Code::Rank) {
    detail::check(spk_gather_into(input.handle(), output.handle(), threshold, int32_t(code)));
}
/// First spike times [B, ...] -> cumulative spike trains [B, time, ...] of `type`.
inline Tensor scatter(const Tensor &input, size_t time, Type type = Type::U8) {
    spk_tensor *h = nullptr;
    detail::check(spk_scatter(input.handle(), time, int32_t(type), &h));
    return Tensor(h);
}
/// scatter() into `output` [B, time, ...].
inline void scatter(const Tensor &input, const Tensor &output) {
    detail::check(spk_scatter_into(input.handle(), output.handle()));
}
/// Per-position winner-take-all across channels of [B, T, C, H, W]; in place by default.
inline Tensor inhibit(const Tensor &input, double threshold = 0, bool inplace = true) {
    if (inplace) {
        detail::check(spk_inhibit_inplace(input.handle(), threshold));
        return input;
    }
    spk_tensor *h = nullptr;
    detail::check(spk_inhibit(input.handle(), threshold, &h));
    return Tensor(h);
}

// ------------------------------------------------------------------------------ pad, pool, conv

/// Constant padding of the two spatial axes.
inline Tensor pad(const Tensor &input, Expand4 pad, double value = 0) {
    size_t p[4];
    spk_tensor *h = nullptr;
    detail::check(spk_pad(input.handle(), detail::opt4(pad, p), value, &h));
    return Tensor(h);
}
/// pad() into `output`.
inline void pad(const Tensor &input, const Tensor &output, Expand4 pad, double value = 0) {
    size_t p[4];
    detail::check(spk_pad_into(input.handle(), output.handle(), detail::opt4(pad, p), value));
}
/// Max pooling (stride 0 = the kernel, like the original); `rates` (optional) selects by rate.
inline Tensor pool(const Tensor &input, Expand2 kernel, Expand2 stride = 0, Expand4 pad = 0,
                   const Tensor &rates = Tensor()) {
    size_t k[2], s[2], p[4];
    const size_t *sp = (stride.y == 0 && stride.x == 0) ? nullptr : detail::opt2(stride, s);
    spk_tensor *h = nullptr;
    detail::check(spk_pool(input.handle(), detail::opt2(kernel, k), sp, detail::opt4(pad, p),
                           rates.handle(), &h));
    return Tensor(h);
}
/// pool() into `output`.
inline void pool(const Tensor &input, const Tensor &output, Expand2 kernel, Expand2 stride = 0,
                 Expand4 pad = 0, const Tensor &rates = Tensor()) {
    size_t k[2], s[2], p[4];
    const size_t *sp = (stride.y == 0 && stride.x == 0) ? nullptr : detail::opt2(stride, s);
    detail::check(spk_pool_into(input.handle(), output.handle(), detail::opt2(kernel, k), sp,
                                detail::opt4(pad, p), rates.handle()));
}
/// 2-D convolution with `kernel` [K, C, kh, kw].
inline Tensor conv(const Tensor &input, const Tensor &kernel, Expand2 stride = 1,
                   Expand4 pad = 0) {
    size_t s[2], p[4];
    spk_tensor *h = nullptr;
    detail::check(spk_convolve(input.handle(), kernel.handle(), detail::opt2(stride, s),
                               detail::opt4(pad, p), &h));
    return Tensor(h);
}
/// conv() into `output`.
inline void conv(const Tensor &input, const Tensor &kernel, const Tensor &output,
                 Expand2 stride = 1, Expand4 pad = 0) {
    size_t s[2], p[4];
    detail::check(spk_convolve_into(input.handle(), kernel.handle(), output.handle(),
                                    detail::opt2(stride, s), detail::opt4(pad, p)));
}
/// Fully connected potentials with `kernel` [M, N].
inline Tensor fc(const Tensor &input, const Tensor &kernel, bool sign = false) {
    spk_tensor *h = nullptr;
    detail::check(spk_fully_connected(input.handle(), kernel.handle(), sign, &h));
    return Tensor(h);
}
/// fc() into `output`.
inline void fc(const Tensor &input, const Tensor &kernel, const Tensor &output,
               bool sign = false) {
    detail::check(spk_fully_connected_into(input.handle(), kernel.handle(), output.handle(), sign));
}

// ------------------------------------------------------------------------------ wta, learning

/// Up to `count` winners per sample of fully connected outputs [B, T, N].
inline Winners fcwta(const Tensor &input, size_t radius, size_t count, double threshold = 0) {
    spk_winners *w = nullptr;
    detail::check(spk_fcwta(input.handle(), radius, count, threshold, &w));
    return detail::take(w);
}
/// Up to `count` winners per sample of convolution outputs [B, T, C, H, W].
inline Winners convwta(const Tensor &input, Expand2 radius, size_t count, double threshold = 0) {
    size_t r[2];
    spk_winners *w = nullptr;
    detail::check(spk_convwta(input.handle(), detail::opt2(radius, r), count, threshold, &w));
    return detail::take(w);
}
/// STDP on a convolution layer (the same as conv.stdp(...)).
inline void stdp(Conv &conv, const Tensor &input, const Winners &winners, const Tensor &output) {
    conv.stdp(input, winners, output);
}
/// Temporal error of the last layer: first-spike times [B, N] against i64 labels [B].
inline Tensor backward(const Tensor &input, const Tensor &target, size_t time, double gamma) {
    spk_tensor *h = nullptr;
    detail::check(spk_backward(input.handle(), target.handle(), time, gamma, &h));
    return Tensor(h);
}
/// The predicted class of each sample of [B, T, N] (1-D i64).
inline Tensor labelize(const Tensor &input, double threshold) {
    spk_tensor *h = nullptr;
    detail::check(spk_labelize(input.handle(), threshold, &h));
    return Tensor(h);
}
/// Canny edges (u8, 255 on edges) of [B, C, H, W] images.
inline Tensor canny(const Tensor &input, double low, double high) {
    spk_tensor *h = nullptr;
    detail::check(spk_canny(input.handle(), low, high, &h));
    return Tensor(h);
}

// ------------------------------------------------------------------------------ layer methods

inline Tensor Conv::operator()(const Tensor &input) const {
    spk_tensor *h = nullptr;
    detail::check(spk_conv_forward(h_.get(), input.handle(), &h));
    return Tensor(h);
}
inline void Conv::operator()(const Tensor &input, const Tensor &output) const {
    detail::check(spk_conv_forward_into(h_.get(), input.handle(), output.handle()));
}
inline void Conv::stdp(const Tensor &input, const Winners &winners, const Tensor &output) {
    detail::WinnersHandle w(to_c(winners));
    detail::check(spk_conv_stdp(h_.get(), input.handle(), w.get(), output.handle()));
}
inline void Conv::save(const std::string &path) const {
    detail::check(spk_conv_save(h_.get(), path.c_str()));
}
inline Conv Conv::load(const std::string &path) {
    spk_conv *h = nullptr;
    detail::check(spk_conv_load(path.c_str(), &h));
    return Conv(h);
}
inline Tensor FC::operator()(const Tensor &input, bool sign) const {
    spk_tensor *h = nullptr;
    detail::check(spk_fc_forward(h_.get(), input.handle(), sign, &h));
    return Tensor(h);
}
inline void FC::operator()(const Tensor &input, const Tensor &output, bool sign) const {
    detail::check(spk_fc_forward_into(h_.get(), input.handle(), output.handle(), sign));
}
inline void FC::stdp(const Tensor &input, const Winners &winners, const Tensor &output,
                     bool zero_post_time) {
    detail::WinnersHandle w(to_c(winners));
    detail::check(spk_fc_stdp(h_.get(), input.handle(), w.get(), output.handle(),
                              zero_post_time ? SPK_FC_POST_TIME_ZERO
                                             : SPK_FC_POST_TIME_FIRST_SPIKE));
}
inline Tensor FC::backward(const Tensor &input, const Tensor &output, const Tensor &grad) {
    spk_tensor *h = nullptr;
    detail::check(spk_fc_backward(h_.get(), input.handle(), output.handle(), grad.handle(), &h));
    return Tensor(h);
}
inline void FC::save(const std::string &path) const {
    detail::check(spk_fc_save(h_.get(), path.c_str()));
}
inline FC FC::load(const std::string &path) {
    spk_fc *h = nullptr;
    detail::check(spk_fc_load(path.c_str(), &h));
    return FC(h);
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
        std::vector<spk_dog_filter> f;
        for (const auto &x : filters) f.push_back(spk_dog_filter{x.std1, x.std2});
        size_t p[4];
        detail::check(spk_dog_create(size, f.data(), f.size(), detail::opt4(pad, p),
                                     int32_t(device.kind), device.index, int32_t(type),
                                     h_.out()));
    }
    /// Filters images [B, C, H, W] into [B, C * F, H', W'].
    Tensor operator()(const Tensor &input) const {
        spk_tensor *h = nullptr;
        detail::check(spk_dog_apply(h_.get(), input.handle(), &h));
        return Tensor(h);
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        detail::check(spk_dog_apply_into(h_.get(), input.handle(), output.handle()));
    }
    /// The kernel, sharing the bank's memory.
    Tensor kernel() const {
        spk_tensor *h = nullptr;
        detail::check(spk_dog_kernel(h_.get(), &h));
        return Tensor(h);
    }

  private:
    detail::Handle<spk_dog, spk_dog_free> h_;
};

/// A Gabor filter bank. Move-only.
class Gabor {
  public:
    Gabor(size_t size, const std::vector<GaborFilter> &filters, Expand4 pad = 0,
          Device device = Device(Kind::CPU), Type type = Type::F32) {
        std::vector<spk_gabor_filter> f;
        for (const auto &x : filters)
            f.push_back(spk_gabor_filter{x.sigma, x.theta, x.gamma, x.lambda, x.psi});
        size_t p[4];
        detail::check(spk_gabor_create(size, f.data(), f.size(), detail::opt4(pad, p),
                                       int32_t(device.kind), device.index, int32_t(type),
                                       h_.out()));
    }
    Tensor operator()(const Tensor &input) const {
        spk_tensor *h = nullptr;
        detail::check(spk_gabor_apply(h_.get(), input.handle(), &h));
        return Tensor(h);
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        detail::check(spk_gabor_apply_into(h_.get(), input.handle(), output.handle()));
    }
    Tensor kernel() const {
        spk_tensor *h = nullptr;
        detail::check(spk_gabor_kernel(h_.get(), &h));
        return Tensor(h);
    }

  private:
    detail::Handle<spk_gabor, spk_gabor_free> h_;
};

/// A Laplacian-of-Gaussian filter bank (on/off channel per std). Move-only.
class LoG {
  public:
    LoG(size_t size, const std::vector<double> &stds, Expand4 pad = 0,
        Device device = Device(Kind::CPU), Type type = Type::F32) {
        size_t p[4];
        detail::check(spk_log_create(size, stds.data(), stds.size(), detail::opt4(pad, p),
                                     int32_t(device.kind), device.index, int32_t(type),
                                     h_.out()));
    }
    Tensor operator()(const Tensor &input) const {
        spk_tensor *h = nullptr;
        detail::check(spk_log_apply(h_.get(), input.handle(), &h));
        return Tensor(h);
    }
    void operator()(const Tensor &input, const Tensor &output) const {
        detail::check(spk_log_apply_into(h_.get(), input.handle(), output.handle()));
    }
    Tensor kernel() const {
        spk_tensor *h = nullptr;
        detail::check(spk_log_kernel(h_.get(), &h));
        return Tensor(h);
    }

  private:
    detail::Handle<spk_log, spk_log_free> h_;
};

/// ZCA whitening. Move-only.
class ZCA {
  public:
    ZCA() { detail::check(spk_zca_create(h_.out())); }
    /// Learns mean and transform from [N, ...]; with `transform` whitens `input` in place.
    ZCA &fit(const Tensor &input, double epsilon, bool transform = false) {
        detail::check(spk_zca_fit(h_.get(), input.handle(), epsilon, transform));
        return *this;
    }
    /// Whitens `input`, in place by default (like the original).
    Tensor operator()(const Tensor &input, bool inplace = true) const {
        if (inplace) {
            detail::check(spk_zca_apply_inplace(h_.get(), input.handle()));
            return input;
        }
        spk_tensor *h = nullptr;
        detail::check(spk_zca_apply(h_.get(), input.handle(), &h));
        return Tensor(h);
    }
    /// Positive and negative parts [N, 2, ...].
    static Tensor split(const Tensor &input) {
        spk_tensor *h = nullptr;
        detail::check(spk_zca_split(input.handle(), &h));
        return Tensor(h);
    }
    Tensor mean() const {
        spk_tensor *h = nullptr;
        detail::check(spk_zca_mean(h_.get(), &h));
        return Tensor(h);
    }
    Tensor transform() const {
        spk_tensor *h = nullptr;
        detail::check(spk_zca_transform(h_.get(), &h));
        return Tensor(h);
    }
    void save(const std::string &path) const {
        detail::check(spk_zca_save(h_.get(), path.c_str()));
    }
    static ZCA load(const std::string &path) {
        ZCA z(nullptr);
        detail::check(spk_zca_load(path.c_str(), z.h_.out()));
        return z;
    }

  private:
    explicit ZCA(std::nullptr_t) {}
    detail::Handle<spk_zca, spk_zca_free> h_;
};

// ------------------------------------------------------------------------------ files

/// An MNIST-style data set: u8 images [N, 1, rows, cols] and labels [N].
struct MNIST {
    Tensor train_images, train_labels, test_images, test_labels;
};
/// Reads the four IDX files (raw or gzip).
inline MNIST read_mnist(const std::string &train_images, const std::string &train_labels,
                        const std::string &test_images, const std::string &test_labels) {
    spk_tensor *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
    detail::check(spk_read_mnist(train_images.c_str(), train_labels.c_str(),
                                 test_images.c_str(), test_labels.c_str(), &a, &b, &c, &d));
    return MNIST{Tensor(a), Tensor(b), Tensor(c), Tensor(d)};
}
/// Reads the four standard MNIST files from a folder.
inline MNIST load_mnist_dir(const std::string &dir) {
    spk_tensor *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
    detail::check(spk_load_mnist_dir(dir.c_str(), &a, &b, &c, &d));
    return MNIST{Tensor(a), Tensor(b), Tensor(c), Tensor(d)};
}
/// One IDX image file as u8 [N, 1, rows, cols].
inline Tensor mnist_data(const std::string &path) {
    spk_tensor *h = nullptr;
    detail::check(spk_mnist_data(path.c_str(), &h));
    return Tensor(h);
}
/// One IDX label file as u8 [N].
inline Tensor mnist_label(const std::string &path) {
    spk_tensor *h = nullptr;
    detail::check(spk_mnist_label(path.c_str(), &h));
    return Tensor(h);
}
/// Reads an image as u8 [C, H, W]; `mode` "", "Y", "YA", "RGB" or "RGBA"; optional resize.
inline Tensor read_image(const std::string &path, const std::string &mode = "",
                         std::optional<Expand2> size = std::nullopt) {
    size_t s[2];
    spk_tensor *h = nullptr;
    detail::check(spk_read_image(path.c_str(), mode.c_str(),
                                 size ? detail::opt2(*size, s) : nullptr, &h));
    return Tensor(h);
}
/// Writes u8 [C, H, W] as "PNG", "BMP", "TGA" or "JPG".
inline void write_image(const Tensor &input, const std::string &path,
                        const std::string &format = "PNG") {
    detail::check(spk_write_image(input.handle(), path.c_str(), format.c_str()));
}

namespace detail {
inline std::vector<std::string> strings(spk_strings *raw) {
    Handle<spk_strings, spk_strings_free> h(raw);
    std::vector<std::string> v;
    if (!raw) return v;
    size_t n = 0;
    check(spk_strings_count(raw, &n));
    for (size_t i = 0; i < n; i++) {
        const char *s = nullptr;
        check(spk_strings_get(raw, i, &s));
        v.emplace_back(s);
    }
    return v;
}
inline std::vector<std::pair<std::string, Tensor>> tensors(spk_tensor_list *raw) {
    Handle<spk_tensor_list, spk_tensor_list_free> h(raw);
    size_t n = 0;
    check(spk_tensor_list_count(raw, &n));
    std::vector<std::pair<std::string, Tensor>> v;
    for (size_t i = 0; i < n; i++) {
        const char *name = nullptr;
        spk_tensor *t = nullptr;
        check(spk_tensor_list_name(raw, i, &name));
        check(spk_tensor_list_get(raw, i, &t));
        v.emplace_back(name, Tensor(t));
    }
    return v;
}
inline void named(const std::vector<std::pair<std::string, Tensor>> &items,
                  std::vector<const char *> &names, std::vector<const spk_tensor *> &handles) {
    for (const auto &it : items) {
        names.push_back(it.first.c_str());
        handles.push_back(it.second.handle());
    }
}
} // namespace detail

/// A reader of delimited text lines (the original's Helper::CSV). Move-only.
class CSV {
  public:
    /// `original_split` reproduces the original's multi-character delimiter quirk.
    explicit CSV(const std::string &path, const std::string &delim = ",",
                 bool original_split = false) {
        detail::check(spk_csv_open(path.c_str(), delim.c_str(),
                                   original_split ? SPK_CSV_SPLIT_ORIGINAL
                                                  : SPK_CSV_SPLIT_DELIMITER,
                                   h_.out()));
    }
    /// Reads the next line's fields; false at the end of the file.
    bool readline(std::vector<std::string> &fields) {
        spk_strings *s = nullptr;
        detail::check(spk_csv_readline(h_.get(), &s));
        if (!s) return false;
        fields = detail::strings(s);
        return true;
    }
    /// Skips up to `count` lines; returns how many were skipped.
    size_t skip(size_t count) {
        size_t n = 0;
        detail::check(spk_csv_skip(h_.get(), count, &n));
        return n;
    }

  private:
    detail::Handle<spk_csv, spk_csv_free> h_;
};
/// The fields of the first non-empty line of `path` (empty for a file without one).
inline std::vector<std::string> read_csv(const std::string &path, const std::string &delim = ",") {
    spk_strings *s = nullptr;
    detail::check(spk_read_csv(path.c_str(), delim.c_str(), SPK_CSV_SPLIT_DELIMITER, &s));
    return detail::strings(s);
}
/// Every array of a .npz file, in file order.
inline std::vector<std::pair<std::string, Tensor>> npz_read(const std::string &path) {
    spk_tensor_list *l = nullptr;
    detail::check(spk_npz_read(path.c_str(), &l));
    return detail::tensors(l);
}
/// Writes named tensors to a .npz file.
inline void npz_write(const std::string &path,
                      const std::vector<std::pair<std::string, Tensor>> &items) {
    std::vector<const char *> names;
    std::vector<const spk_tensor *> handles;
    detail::named(items, names, handles);
    detail::check(spk_npz_write(path.c_str(), names.data(), handles.data(), items.size()));
}
/// Saves named tensors (e.g. a network's kernels) to one model file.
inline void save_layers(const std::string &path,
                        const std::vector<std::pair<std::string, Tensor>> &items) {
    std::vector<const char *> names;
    std::vector<const spk_tensor *> handles;
    detail::named(items, names, handles);
    detail::check(spk_layers_save(path.c_str(), names.data(), handles.data(), items.size()));
}
/// Loads every tensor of a model file.
inline std::vector<std::pair<std::string, Tensor>> load_layers(const std::string &path) {
    spk_tensor_list *l = nullptr;
    detail::check(spk_layers_load(path.c_str(), &l));
    return detail::tensors(l);
}

// ------------------------------------------------------------------------------ runtime (CUDA)

/// The number of usable CUDA devices.
inline size_t cuda_device_count() {
    size_t n = 0;
    detail::check(spk_cuda_device_count(&n));
    return n;
}
/// Every device: the CPU first, then the CUDA devices.
inline std::vector<Device> all_devices() {
    size_t n = 0;
    detail::check(spk_all_devices(nullptr, nullptr, 0, &n));
    std::vector<int32_t> kinds(n);
    std::vector<int64_t> indices(n);
    detail::check(spk_all_devices(kinds.data(), indices.data(), n, &n));
    std::vector<Device> v;
    for (size_t i = 0; i < kinds.size() && i < n; i++) v.emplace_back(Kind(kinds[i]), indices[i]);
    return v;
}
inline void cuda_set_device(int64_t index) { detail::check(spk_cuda_set_device(index)); }
inline int64_t cuda_current_device() {
    int64_t i = 0;
    detail::check(spk_cuda_current_device(&i));
    return i;
}
inline std::vector<int32_t> cuda_arch_list() {
    size_t n = 0;
    detail::check(spk_cuda_arch_list(nullptr, 0, &n));
    std::vector<int32_t> v(n);
    detail::check(spk_cuda_arch_list(v.data(), v.size(), &n));
    v.resize(std::min(n, v.size()));
    return v;
}
inline int32_t cuda_device_arch(int64_t index = 0) {
    int32_t a = 0;
    detail::check(spk_cuda_device_arch(index, &a));
    return a;
}
inline size_t cuda_memory_total(int64_t index = 0) {
    size_t n = 0;
    detail::check(spk_cuda_memory_total(index, &n));
    return n;
}
inline size_t cuda_memory_free(int64_t index = 0) {
    size_t n = 0;
    detail::check(spk_cuda_memory_free(index, &n));
    return n;
}
inline size_t cuda_memory_taken(int64_t index = 0) {
    size_t n = 0;
    detail::check(spk_cuda_memory_taken(index, &n));
    return n;
}
inline size_t cuda_memory_used(int64_t index = 0) {
    size_t n = 0;
    detail::check(spk_cuda_memory_used(index, &n));
    return n;
}
inline bool cuda_cache_enabled(int64_t index = 0) {
    bool b = false;
    detail::check(spk_cuda_cache_enabled(index, &b));
    return b;
}
inline void cuda_cache_enable(bool enable = true, int64_t index = 0) {
    detail::check(spk_cuda_cache_enable(enable, index));
}
inline void cuda_cache_clear(int64_t index = 0) { detail::check(spk_cuda_cache_clear(index)); }
inline void cuda_cache_print(int64_t index = 0) { detail::check(spk_cuda_cache_print(index)); }
inline void cuda_synchronize(int64_t index = 0) { detail::check(spk_cuda_synchronize(index)); }

} // namespace spyker

#endif // SPYKER_SPYKER_HPP
