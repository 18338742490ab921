// A small STDP training loop on the bundled digits, the first layer of Shirsavar (Rezghi) et al.
// 2022 through the C++ wrapper: LoG -> threshold -> rank code -> Conv::stdp_step, the fused
// training step (threshold -> inhibit -> convwta -> stdp in one call, on spike times). A copy of
// the layer is trained alongside by that explicit composition; the example fails unless both give
// the same winners and the same kernel after every batch, winners were found, the kernel moved and
// stayed in [0, 1], and the layer saved to a file loads back with the same kernel.
//
// usage: stdp_mnist <mnist-dir> [images = 256] [channels = 16]
#include <spyker/spyker.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace spyker;

namespace {

int fail(const char *what) {
    std::fprintf(stderr, "stdp_mnist: %s\n", what);
    return 1;
}

/// u8 images [B, 1, 28, 28] -> f32 in [0, 1] (the pipelines' input scaling).
Tensor scale(const Tensor &images) {
    std::vector<uint8_t> bytes = images.to_vector<uint8_t>();
    std::vector<float> v(bytes.begin(), bytes.end());
    for (float &x : v) x /= 255.f;
    return Tensor::from(v, images.shape());
}

bool same_winners(const Winners &a, const Winners &b) {
    if (a.size() != b.size()) return false;
    for (size_t s = 0; s < a.size(); s++) {
        if (a[s].size() != b[s].size()) return false;
        for (size_t i = 0; i < a[s].size(); i++) {
            const Winner &x = a[s][i], &y = b[s][i];
            if (x.c != y.c || x.t != y.t || x.z != y.z || x.y != y.y || x.x != y.x) return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) return fail("usage: stdp_mnist <mnist-dir> [images] [channels]");
    const size_t images = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256;
    const size_t channels = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 16;
    const size_t batch = 64, time = 15;
    try {
        MNIST data = load_mnist_dir(argv[1]);
        const size_t available = data.train_images.shape()[0];
        const size_t n = std::min(images, available);
        std::printf("spyker %s: %zu of %zu training digits, %zu channels\n", version().c_str(), n,
                    available, channels);

        random_seed(1);
        LoG filter(3, {0.471404521, 1.099943882, 2.042752923}, 3);
        Conv conv(6, channels, 5, 1, 2, 0.5, 0.02);
        conv.stdpconfig({STDPConfig(0.0004, -0.0003)});
        const std::vector<float> before = conv.kernel().to_vector<float>();
        // The copy trained by the explicit composition (Conv is move-only: same geometry, a deep
        // copy of the kernel, the same STDP configurations).
        Conv explicit_conv(6, channels, 5, conv.stride(), conv.pad());
        explicit_conv.kernel(conv.kernel().copy());
        explicit_conv.stdpconfig(conv.stdpconfig());
        const double thr = 16;
        const Expand2 radius = 3;
        const size_t count = 5;

        size_t steps = 0, winners_total = 0;
        for (size_t start = 0; start < n; start += batch) {
            const size_t end = std::min(start + batch, n);
            Tensor x = scale(data.train_images.slice(start, end));
            Tensor spikes = code(threshold(filter(x), 0.01), time);   // [B, 15, 6, 28, 28] u8
            Winners win = conv.stdp_step(spikes, thr, radius, count);

            // The same step, written out on the copy.
            Tensor pot = inhibit(threshold(explicit_conv(spikes), thr)); // in place
            Winners want = convwta(pot, radius, count);
            explicit_conv.stdp(spikes, want, fire(pot, thr));
            if (!same_winners(win, want))
                return fail("stdp_step selected other winners than threshold/inhibit/convwta");
            if (conv.kernel().to_vector<float>() != explicit_conv.kernel().to_vector<float>())
                return fail("stdp_step gave another kernel than the explicit composition");

            for (const auto &w : win) winners_total += w.size();
            steps++;
            std::printf("batch %zu: images %zu-%zu, %zu winners so far (stdp_step = explicit)\n",
                        steps, start, end - 1, winners_total);
        }

        const std::vector<float> after = conv.kernel().to_vector<float>();
        double moved = 0;
        float lo = 1, hi = 0;
        for (size_t i = 0; i < after.size(); i++) {
            moved = std::max(moved, double(std::fabs(after[i] - before[i])));
            lo = std::min(lo, after[i]);
            hi = std::max(hi, after[i]);
        }
        std::printf("kernel: max change %.4f, range [%.4f, %.4f]\n", moved, lo, hi);
        if (winners_total == 0) return fail("no winners were selected");
        if (!(moved > 1e-3)) return fail("the kernel did not move");
        if (lo < 0 || hi > 1) return fail("the kernel left [0, 1]");

        // Save and reload the trained layer: the same kernel comes back.
        const std::string path = "stdp_mnist_conv.npz";
        conv.save(path);
        Conv back = Conv::load(path);
        std::remove(path.c_str());
        if (back.kernel().to_vector<float>() != after) return fail("the saved layer differs");
        std::printf("ok\n");
    } catch (const Error &e) {
        std::fprintf(stderr, "stdp_mnist: spyker error %d: %s\n", int(e.status()), e.what());
        return 1;
    }
    return 0;
}
