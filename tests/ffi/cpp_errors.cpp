// The C++ API's error contract over the cxx bridge: every failure is a spyker::Error carrying the
// same status category and message as the C ABI (never a rust::Error, never an abort), and
// objects stay usable after a failed call. Also: the spike-time fast paths (rank_times' optional,
// fused results equal to the dense compositions) and the C++ forms of the C entry points added
// last (each called once).
#include <spyker/spyker.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
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

// The spike-time fast paths: errors are spyker::Error (never an abort), rank_times' optional, and
// the fused results equal the dense compositions they replace.
static void fused_paths() {
    using namespace spyker;
    const size_t time = 4;
    // Spike times u8 [1, 2, 6, 6] in 0..=time (time = never), a rank-coded train of them.
    std::vector<uint8_t> tv(72);
    for (size_t i = 0; i < tv.size(); i++) tv[i] = uint8_t((i * 7) % (time + 1));
    Tensor times = Tensor::from(tv, {1, 2, 6, 6});
    Tensor spikes = times_to_spikes(times, time);
    EXPECT(spikes.shape() == (Shape{1, time, 2, 6, 6}));
    Tensor kpos = Tensor(Type::F32, {3, 2, 3, 3}).fill(0.25);
    Tensor kneg = Tensor(Type::F32, {3, 2, 3, 3}).fill(-0.25);

    // rank_times: the times back for rank-coded trains, std::nullopt otherwise.
    std::optional<Tensor> back = rank_times(spikes);
    EXPECT(back.has_value() && back->to_vector<uint8_t>() == tv);
    Tensor not_rank = Tensor(Type::U8, {1, time, 2, 6, 6}).fill(2);
    EXPECT(!rank_times(not_rank).has_value());
    Tensor falling = spikes.copy();
    falling[0][time - 1].fill(0); // a 1 followed by a 0
    EXPECT(!rank_times(falling).has_value());
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`spikes`", rank_times(Tensor()));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "1..=255", rank_times(Tensor(Type::U8, {1, 300, 2})));

    // code_times: the gathered rank code of float features, errors for time 0.
    std::vector<float> fv(72);
    for (size_t i = 0; i < fv.size(); i++) fv[i] = float((i * 5) % 9) / 8.0f;
    Tensor feats = Tensor::from(fv, {1, 2, 6, 6});
    std::optional<Tensor> coded = rank_times(code(feats, int64_t(time)));
    EXPECT(coded.has_value() &&
           code_times(feats, time).to_vector<uint8_t>() == coded->to_vector<uint8_t>());
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "1..=255", code_times(feats, 0));

    // Negative weights, times above `time`, time > SPK_MAX_TIME, non-u8 times.
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "non-negative", conv_fire_times(times, time, kneg, 1, 0, 1.0));
    Tensor late = Tensor(Type::U8, {1, 2, 6, 6}).fill(double(time + 1));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "spike times in 0..=4", conv_fire_times(late, time, kpos, 1, 0, 1.0));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "1..=255", times_to_spikes(times, 256));
    EXPECT_ERROR(SPK_STATUS_DTYPE, "u8", pool_times(times.to(Type::F32), time, 2));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "", pool_times(late, time, 2));
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`kernel`", conv_fire_rank(spikes, Tensor(), 1, 0, 1.0));

    // The fused results equal the dense compositions.
    Tensor dense = fire(conv(spikes, kpos, 1, 1), 1.0);
    EXPECT(conv_fire_rank(spikes, kpos, 1, 1, 1.0).to_vector<uint8_t>() == dense.to_vector<uint8_t>());
    EXPECT(conv_fire_times(times, time, kpos, 1, 1, 1.0).to_vector<uint8_t>() ==
           gather(dense).to_vector<uint8_t>());
    EXPECT(conv_infinite(spikes, kpos, 1, 1, -1.0).to_vector<float>() ==
           infinite(conv(spikes, kpos, 1, 1), -1.0).to_vector<float>());
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`kernel`", conv_infinite(spikes, Tensor(), 1, 0));
    // A mixed-sign kernel takes the dense path of conv_fire_rank (no error there).
    Tensor kmix = Tensor(Type::F32, {3, 2, 3, 3}).fill(0.25);
    kmix[0].fill(-0.5);
    EXPECT(conv_fire_rank(spikes, kmix, 1, 1, 0.5).to_vector<uint8_t>() ==
           fire(conv(spikes, kmix, 1, 1), 0.5).to_vector<uint8_t>());
    EXPECT(pool_times(times, time, 2).to_vector<uint8_t>() ==
           gather(pool(spikes, 2)).to_vector<uint8_t>());

    // The layer forms.
    Conv layer(2, 3, 3, 1, 1);
    layer.kernel(kpos.copy());
    EXPECT(layer.forward_fire(spikes, 1.0).to_vector<uint8_t>() == dense.to_vector<uint8_t>());
    EXPECT(layer.forward_fire_times(times, time, 1.0).to_vector<uint8_t>() ==
           gather(dense).to_vector<uint8_t>());
    EXPECT(layer.forward_infinite(spikes).to_vector<float>() ==
           infinite(layer(spikes), 0.0).to_vector<float>());
    EXPECT(layer.forward_fire_pool_times(times, time, 1.0, 2, 0, 1).to_vector<uint8_t>() ==
           gather(pool(dense, 2, 0, 1)).to_vector<uint8_t>());
    EXPECT(conv_fire_pool_times(times, time, kpos, 1, 1, 1.0, 3, 2).to_vector<uint8_t>() ==
           pool_times(conv_fire_times(times, time, kpos, 1, 1, 1.0), time, 3, 2)
               .to_vector<uint8_t>());
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "pool kernel",
                 conv_fire_pool_times(times, time, kpos, 1, 1, 1.0, 0));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "STDP configuration", layer.stdp_step(spikes, 1.0, 1, 2));
    layer.stdpconfig({STDPConfig(0.004, -0.003)});
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "spike times", layer.stdp_step_times(late, time, 1.0, 1, 2));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "1..=255", layer.stdp_step_times(times, 256, 1.0, 1, 2));
    layer.kernel(kneg.copy());
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "non-negative", layer.forward_fire_times(times, time, 1.0));
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "non-negative",
                 layer.forward_fire_pool_times(times, time, 1.0, 2));
    Conv moved = std::move(layer);
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`conv`", layer.stdp_step(spikes, 1.0, 1, 2));
    EXPECT(moved.kernel().shape() == (Shape{3, 2, 3, 3}));
}

// The C++ forms of C entry points that had none: each called once, checked against its
// allocating twin, and with one bad argument.
static void gap_functions() {
    using namespace spyker;

    // version_numbers() agrees with version().
    Version v = version_numbers();
    EXPECT(std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch) ==
           version());

    // cuda_cache_stats: the allocator counters of a device (an error without one).
    EXPECT_ERROR(SPK_STATUS_ARGUMENT, "index", cuda_cache_stats(-1));
    if (cuda_available()) {
        CacheStats cs = cuda_cache_stats(0);
        EXPECT(cs.device == 0 && cs.cached == cs.taken - cs.used);
    } else {
        EXPECT_ERROR(SPK_STATUS_DEVICE, "", cuda_cache_stats(0));
    }

    // fill_int is exact where a double is not (2^53 + 1).
    Tensor big(Type::I64, {3});
    const int64_t odd = (int64_t(1) << 53) + 1;
    EXPECT(big.fill_int(odd).to_vector<int64_t>() == std::vector<int64_t>(3, odd));
    EXPECT(big.fill(double(odd)).to_vector<int64_t>()[0] != odd);
    EXPECT_ERROR(SPK_STATUS_NULL_POINTER, "`tensor`", Tensor().fill_int(1));

    // Conv stride and padding.
    Conv c(1, 2, 3, Expand2(2, 1), Expand4(1, 2, 3, 4));
    EXPECT(c.stride().y == 2 && c.stride().x == 1);
    Expand4 p = c.pad();
    EXPECT(p.top == 1 && p.left == 2 && p.bottom == 3 && p.right == 4);

    // backward / labelize / canny into an output.
    Tensor first = Tensor::from(std::vector<float>{0, 1, 2, 3, 3, 2, 1, 0}, {2, 4});
    Tensor target = Tensor::from(std::vector<int64_t>{1, 2}, {2});
    Tensor err(Type::F32, {2, 4});
    backward(first, err, target, 4, 1.0);
    EXPECT(err.to_vector<float>() == backward(first, target, 4, 1.0).to_vector<float>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", backward(first, Tensor(Type::F32, {3, 4}), target, 4, 1.0));
    Tensor pots = Tensor::from(std::vector<float>{0, 1, 0, 2, 5, 0, 3, 3, 1, 0, 0, 0,
                                                  0, 0, 1, 0, 0, 0, 2, 0, 0, 4, 0, 1},
                               {2, 3, 4});
    Tensor labels(Type::I64, {2});
    labelize(pots, labels, 1.5);
    EXPECT(labels.to_vector<int64_t>() == labelize(pots, 1.5).to_vector<int64_t>());
    EXPECT_ERROR(SPK_STATUS_DTYPE, "", labelize(pots, Tensor(Type::F32, {2}), 1.5));
    std::vector<uint8_t> img(64, 0);
    for (size_t i = 0; i < 64; i++) img[i] = (i % 8) >= 4 ? 200 : 10;
    Tensor image = Tensor::from(img, {1, 1, 8, 8});
    Tensor edges(Type::U8, {1, 1, 8, 8});
    canny(image, edges, 50, 100);
    EXPECT(edges.to_vector<uint8_t>() == canny(image, 50, 100).to_vector<uint8_t>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", canny(image, Tensor(Type::U8, {1, 1, 4, 8}), 50, 100));

    // FC::backward into `next`: the same gradient and kernel update as the allocating form.
    random_seed(3);
    FC fa(4, 2);
    random_seed(3);
    FC fb(4, 2);
    Tensor in_t = Tensor::from(std::vector<float>{1, 0, 2, 3, 0, 2, 1, 1}, {2, 4});
    Tensor out_t = Tensor::from(std::vector<float>{1, 2, 3, 0}, {2, 2});
    Tensor grad = Tensor::from(std::vector<float>{0.1f, -0.2f, 0.05f, 0.3f}, {2, 2});
    Tensor next(Type::F32, {2, 4});
    Tensor want = fa.backward(in_t, out_t, grad);
    fb.backward(in_t, out_t, grad, next);
    EXPECT(next.to_vector<float>() == want.to_vector<float>());
    EXPECT(fb.kernel().to_vector<float>() == fa.kernel().to_vector<float>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", fb.backward(in_t, out_t, grad, Tensor(Type::F32, {2, 3})));

    // ZCA::from_parts rebuilds a fitted module; ZCA::split into an output.
    std::vector<float> samples(6 * 4);
    for (size_t i = 0; i < samples.size(); i++) samples[i] = float((i * 5) % 7) - 3.f;
    Tensor data = Tensor::from(samples, {6, 4});
    ZCA z;
    z.fit(data, 1e-2);
    ZCA same = ZCA::from_parts(z.mean(), z.transform());
    EXPECT(same(data, false).to_vector<float>() == z(data, false).to_vector<float>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", ZCA::from_parts(z.transform(), z.transform()));
    Tensor halves(Type::F32, {6, 2, 4});
    ZCA::split(data, halves);
    EXPECT(halves.to_vector<float>() == ZCA::split(data).to_vector<float>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", ZCA::split(data, Tensor(Type::F32, {6, 4})));

    // read_image into a u8 output of the image's shape.
    const std::string png = "spyker_cpp_errors.png";
    Tensor pixels = Tensor::from(std::vector<uint8_t>{0, 50, 100, 150, 200, 250}, {1, 2, 3});
    write_image(pixels, png);
    Tensor loaded(Type::U8, {1, 2, 3});
    read_image(loaded, png, "Y");
    EXPECT(loaded.to_vector<uint8_t>() == pixels.to_vector<uint8_t>());
    EXPECT_ERROR(SPK_STATUS_SHAPE, "", read_image(Tensor(Type::U8, {1, 3, 2}), png, "Y"));
    EXPECT_ERROR(SPK_STATUS_DTYPE, "", read_image(Tensor(Type::F32, {1, 2, 3}), png, "Y"));
    Tensor resized(Type::U8, {1, 4, 6});
    read_image(resized, png, "Y", Expand2(4, 6));
    EXPECT(resized.to_vector<uint8_t>() == read_image(png, "Y", Expand2(4, 6)).to_vector<uint8_t>());
    std::remove(png.c_str());

    // read_csv's split rule: the original's multi-character delimiter quirk on request.
    const std::string csv = "spyker_cpp_errors.csv";
    if (FILE *f = std::fopen(csv.c_str(), "w")) {
        std::fputs("a, b,c, d\n", f);
        std::fclose(f);
    }
    EXPECT(read_csv(csv, ", ") == (std::vector<std::string>{"a", "b,c", "d"}));
    EXPECT(read_csv(csv, ", ", true) == (std::vector<std::string>{"a", " b,c", " d"}));
    std::remove(csv.c_str());
    EXPECT_ERROR(SPK_STATUS_IO, "", read_csv(csv, ",", true));
}

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

    fused_paths();
    gap_functions();

    std::printf(failures ? "FAILED (%d)\n" : "ok\n", failures);
    return failures ? 1 : 0;
}
