// The C++ API's error contract over the cxx bridge: every failure is a spyker::Error carrying the
// same status category and message as the C ABI (never a rust::Error, never an abort), and
// objects stay usable after a failed call.
#include <spyker/spyker.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static int failures = 0;

#define EXPECT(cond)                                                                      \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);     \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

// Runs `body`, which must throw spyker::Error with `status` and a message containing `needle`.
template <class F> static void expect_error(spk_status status, const char *needle, F body, int line) {
    try {
        body();
        std::fprintf(stderr, "line %d: expected status %d, nothing thrown\n", line, int(status));
        failures++;
    } catch (const spyker::Error &e) {
        if (e.status() != status || std::string(e.what()).find(needle) == std::string::npos) {
            std::fprintf(stderr, "line %d: expected status %d with \"%s\", got %d: %s\n", line,
                         int(status), needle, int(e.status()), e.what());
            failures++;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "line %d: expected spyker::Error, got %s\n", line, e.what());
        failures++;
    }
}
#define EXPECT_ERROR(status, needle, ...) expect_error(status, needle, [&] { __VA_ARGS__; }, __LINE__)

int main() {
    using namespace spyker;
    Tensor x = Tensor::from(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});

    // Shape: rank 0, wrong byte counts, views out of range, wrong kernels.
    EXPECT_ERROR(SPK_STATUS_SHAPE, "rank >= 1", Tensor(Type::F32, {}));
    EXPECT_ERROR(SPK_STATUS_SHAPE, "bytes", Tensor::from(std::vector<float>{1, 2}, {3}));
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", x.reshape({4, -1}));
    Conv conv(2, 3, 3);
    EXPECT_ERROR(SPK_STATUS_SHAPE, "rank 4", conv.kernel(x));
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", conv(Tensor(Type::U8, {1, 2, 2, 5})));

    // Dtype: typed reads and writes check T in Rust; integer kernels are refused.
    EXPECT_ERROR(SPK_STATUS_DTYPE, "f32", x.to_vector<int32_t>());
    EXPECT_ERROR(SPK_STATUS_DTYPE, "", x.assign(std::vector<double>(6).data(), 6));
    EXPECT_ERROR(SPK_STATUS_DTYPE, "f16, f32 or f64", conv.kernel(Tensor(Type::I32, {3, 2, 3, 3})));
    EXPECT_ERROR(SPK_STATUS_DTYPE, "", Tensor(Type(42), {2}));

    // Device: unknown kinds; CUDA without a device.
    EXPECT_ERROR(SPK_STATUS_DEVICE, "device kind", Tensor(Device(Kind(7)), Type::F32, {2}));
    if (!cuda_available())
        EXPECT_ERROR(SPK_STATUS_DEVICE, "", Tensor(Device(Kind::CUDA, 0), Type::F32, {2}));

    // Argument: bad sizes, codes, indices, sample and winner ranges, non-UTF-8 strings.
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "got 0", Conv(0, 4, 3));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "code", fire(x, 0, Type::U8, Code(9)));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "index", cuda_set_device(-1));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "UTF-8", mnist_data(std::string("\xff\xfe")));
    Tensor spikes(Type::U8, {1, 2, 2, 5, 5});
    Tensor pot = conv(spikes);
    Winners bad(1);
    bad[0].push_back(Winner{99, 0, 0, 0, 0});
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "", conv.stdp(spikes, bad, pot));

    // Io: missing files.
    EXPECT_ERROR(SPK_STATUS_IO, "", Conv::load("/nonexistent/spyker/conv.npz"));
    EXPECT_ERROR(SPK_STATUS_IO, "", npz_read("/nonexistent/spyker/a.npz"));
    EXPECT_ERROR(SPK_STATUS_IO, "", CSV("/nonexistent/spyker/a.csv"));

    // Empty and moved-from objects are reported, not dereferenced.
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`tensor`", Tensor().shape());
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`input`", fire(Tensor()));
    Conv moved = std::move(conv);
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`conv`", conv.kernel());

    // Objects stay usable after failures; shallow copies share, copies do not.
    EXPECT(moved.kernel().shape() == (Shape{3, 2, 3, 3}));
    Tensor alias = x;
    alias[0].fill(7);
    EXPECT(x.to_vector<float>()[2] == 7.f && x.shares(alias) && !x.shares(x.copy()));
    Winners w = convwta(fire(moved(Tensor(Type::U8, {1, 2, 2, 5, 5}).fill(1)), 0.1), 1, 2);
    EXPECT(w.size() == 1);

    std::printf(failures ? "FAILED (%d)\n" : "ok\n", failures);
    return failures ? 1 : 0;
}
