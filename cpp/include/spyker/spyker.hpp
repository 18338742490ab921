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
#include <initializer_list>
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

// Op families (code, fire, threshold, pool, inhibit, convwta, fcwta, stdp, ...) are added here as
// free functions over Tensor once their C entry points exist; see docs/FFI.md.

} // namespace spyker

#endif // SPYKER_SPYKER_HPP
