// The R-STDP network of Mozafari et al. 2019 (spec: reference-pipelines.md) on a subset of the
// bundled digits, through the C++ wrapper: DoG -> rank code -> conv1 (STDP) -> pool -> conv2
// (STDP) -> pool -> conv3 (R-STDP, decision by the first winner channel). Prints accuracy.
//
// usage: mozafari <mnist-dir> [train = 256] [test = 128] [rstdp-epochs = 2] [width% = 100]
// `width%` scales every layer's channel count (100 = the paper's 30 / 250 / 200), so that a
// quick run (ctest) takes seconds. Learning-rate steps happen every 500 * train / 60000 images
// (at least one batch), the paper's schedule scaled to the subset.
#include <spyker/spyker.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace spyker;

namespace {

constexpr size_t kBatch = 64, kTime = 15;

struct Set {
    std::vector<Tensor> spikes; // per batch, [B, 15, 6, 28, 28] u8
    std::vector<std::vector<uint8_t>> labels;
};

Set prepare(const DoG &dog, const Tensor &images, const Tensor &labels, size_t n) {
    Set s;
    std::vector<uint8_t> all = labels.to_vector<uint8_t>();
    for (size_t start = 0; start < n; start += kBatch) {
        size_t end = std::min(start + kBatch, n);
        std::vector<uint8_t> bytes = images.slice(start, end).to_vector<uint8_t>();
        std::vector<float> v(bytes.begin(), bytes.end());
        for (float &x : v) x /= 255.f;
        Tensor x = Tensor::from(v, {end - start, 1, 28, 28});
        s.spikes.push_back(code(threshold(dog(x), 0.02), kTime));
        s.labels.emplace_back(all.begin() + start, all.begin() + end);
    }
    return s;
}

/// One STDP layer: potentials, inhibition, winners, update; the LR step scales both rates.
struct Layer {
    Conv conv;
    double threshold;
    Expand2 radius;
    size_t count;
    size_t seen = 0;

    void train(const Tensor &x, size_t lr_every) {
        Tensor pot = inhibit(spyker::threshold(conv(x), threshold));
        conv.stdp(x, convwta(pot, radius, count), fire(pot, threshold));
        seen += x.shape()[0];
        if (seen >= lr_every) {
            seen = 0;
            std::vector<STDPConfig> c = conv.stdpconfig();
            double ratio = c[0].negative / c[0].positive;
            c[0].positive = std::min(c[0].positive * 2, 0.15);
            c[0].negative = c[0].positive * ratio;
            conv.stdpconfig(c);
        }
    }
    Tensor spikes(const Tensor &x, size_t pool_size) const {
        return pool(fire(conv(x), threshold), pool_size);
    }
};

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: mozafari <mnist-dir> [train] [test] [rstdp-epochs] [width%%]\n");
        return 1;
    }
    auto arg = [&](int i, size_t d) { return argc > i ? std::strtoul(argv[i], nullptr, 10) : d; };
    const size_t n_train = arg(2, 256), n_test = arg(3, 128), epochs = arg(4, 2);
    const size_t width = std::max<size_t>(arg(5, 100), 1);
    const size_t c1 = std::max<size_t>(30 * width / 100, 1);
    const size_t c2 = std::max<size_t>(250 * width / 100, 1);
    const size_t c3 = std::max<size_t>(200 * width / 100 / 10, 1) * 10; // a multiple of 10
    try {
        MNIST data = load_mnist_dir(argv[1]);
        const size_t lr_every = std::max<size_t>(500 * n_train / 60000, kBatch);
        std::printf("mozafari: %zu train, %zu test digits; channels %zu/%zu/%zu\n", n_train,
                    n_test, c1, c2, c3);
        random_seed(0);
        DoG dog(3,
                {DoGFilter(3 / 9., 6 / 9.), DoGFilter(6 / 9., 3 / 9.), DoGFilter(7 / 9., 14 / 9.),
                 DoGFilter(14 / 9., 7 / 9.), DoGFilter(13 / 9., 26 / 9.),
                 DoGFilter(26 / 9., 13 / 9.)},
                3);
        Set train = prepare(dog, data.train_images, data.train_labels,
                            std::min(n_train, data.train_images.shape()[0]));
        Set test = prepare(dog, data.test_images, data.test_labels,
                           std::min(n_test, data.test_images.shape()[0]));

        Layer l1{Conv(6, c1, 5, 1, 2, 0.8, 0.05), 15, 3, 5};
        Layer l2{Conv(c1, c2, 3, 1, 1, 0.8, 0.05), 5, 1, 8};
        Conv l3(c2, c3, 5, 1, 2, 0.8, 0.05);
        l1.conv.stdpconfig({STDPConfig(0.004, -0.003)});
        l2.conv.stdpconfig({STDPConfig(0.004, -0.003)});

        for (size_t e = 0; e < 2; e++)
            for (const Tensor &x : train.spikes) l1.train(x, lr_every);
        std::printf("conv1 trained (2 epochs)\n");
        std::vector<Tensor> a1, t1;
        for (const Tensor &x : train.spikes) a1.push_back(l1.spikes(x, 2));
        for (const Tensor &x : test.spikes) t1.push_back(l1.spikes(x, 2));
        for (size_t e = 0; e < 4; e++)
            for (const Tensor &x : a1) l2.train(x, lr_every);
        std::printf("conv2 trained (4 epochs)\n");
        std::vector<Tensor> a2, t2;
        for (const Tensor &x : a1) a2.push_back(l2.spikes(x, 3));
        for (const Tensor &x : t1) t2.push_back(l2.spikes(x, 3));

        // Decision: the first winner channel of conv3 (only the last step counts) -> its label.
        auto decide = [&](const Tensor &x, Tensor &pot) {
            pot = infinite(l3(x));
            return convwta(pot, 0, 1);
        };
        const size_t per_label = c3 / 10;
        auto evaluate = [&]() {
            size_t hits = 0, total = 0, silent = 0;
            for (size_t b = 0; b < t2.size(); b++) {
                Tensor pot;
                Winners w = decide(t2[b], pot);
                for (size_t i = 0; i < w.size(); i++, total++) {
                    if (w[i].empty()) {
                        silent++;
                        continue;
                    }
                    hits += size_t(w[i][0].z) / per_label == test.labels[b][i];
                }
            }
            std::printf("  test accuracy %.2f%% (%zu / %zu, %zu silent)\n",
                        100.0 * hits / std::max<size_t>(total, 1), hits, total, silent);
            return double(hits) / std::max<size_t>(total, 1);
        };

        const STDPConfig reward(0.004, -0.003, false, 0.2, 0.8);
        const STDPConfig punish(-0.004, 0.0005, false, 0.2, 0.8);
        double best = evaluate(), hit_rate = 0.5;
        for (size_t e = 0; e < epochs; e++) {
            // Adaptive rates: reward scaled by the last epoch's misses, punish by its hits.
            STDPConfig r = reward, p = punish;
            r.positive *= 1 - hit_rate;
            r.negative *= 1 - hit_rate;
            p.positive *= hit_rate;
            p.negative *= hit_rate;
            l3.stdpconfig({r, p});
            size_t hits = 0, total = 0;
            for (size_t b = 0; b < a2.size(); b++) {
                Tensor pot;
                Winners w = decide(a2[b], pot);
                for (size_t i = 0; i < w.size(); i++, total++) {
                    for (Winner &x : w[i]) {
                        bool hit = size_t(x.z) / per_label == train.labels[b][i];
                        hits += hit;
                        x.c = hit ? 0 : 1;
                    }
                }
                l3.stdp(a2[b], w, fire(pot));
            }
            hit_rate = double(hits) / std::max<size_t>(total, 1);
            std::printf("R-STDP epoch %zu: train accuracy %.2f%%\n", e + 1, 100 * hit_rate);
            best = std::max(best, evaluate());
        }
        std::printf("best test accuracy %.2f%%\nok\n", 100 * best);
    } catch (const Error &e) {
        std::fprintf(stderr, "mozafari: spyker error %d: %s\n", int(e.status()), e.what());
        return 1;
    }
    return 0;
}
