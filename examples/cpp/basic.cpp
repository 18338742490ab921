// A C++ tour of the spyker wrapper: RAII tensors with shared views, layers with the same kernels
// after the same seed, STDP configurations, winners, and errors as exceptions.
// (The STDP training loop on digits is added when the op families' entry points land.)
#include <spyker/spyker.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#define EXPECT(cond)                                                                      \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);     \
            std::exit(1);                                                                 \
        }                                                                                 \
    } while (0)

int main() {
    using namespace spyker;
    std::printf("spyker %s\n", version().c_str());
    max_threads(2);
    EXPECT(max_threads() == 2);

    // Tensors: shallow copies and views share memory, copy() does not.
    Tensor x = Tensor::from(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    Tensor alias = x;
    Tensor row = x[1];
    row.fill(9);
    EXPECT(alias.to_vector<float>() == (std::vector<float>{1, 2, 3, 9, 9, 9}));
    Tensor deep = x.copy();
    deep.fill(0);
    EXPECT(x.to_vector<float>()[0] == 1.f && x.shares(alias) && !x.shares(deep));
    EXPECT(x.reshape({-1}).shape() == (Shape{6}));
    EXPECT(x.to(Type::U8).to_vector<uint8_t>()[3] == 9);

    // Zero-copy wrapping of a std::vector.
    std::vector<int32_t> mine(8, 0);
    {
        Tensor w = Tensor::wrap(mine.data(), mine.size(), {2, 4});
        w[0].fill(-5);
    }
    EXPECT(mine[0] == -5 && mine[3] == -5 && mine[4] == 0);

    // Layers: identical kernels after the same seed.
    random_seed(7);
    Conv a(6, 20, 5, 1, 2);
    random_seed(7);
    Conv b(6, 20, 5, 1, 2);
    EXPECT(a.kernel().shape() == (Shape{20, 6, 5, 5}));
    EXPECT(a.kernel().to_vector<float>() == b.kernel().to_vector<float>());
    a.stdpconfig({STDPConfig(.004, -.003), STDPConfig(.0004, -.0003, false)});
    EXPECT(a.stdpconfig().size() == 2 && !a.stdpconfig()[1].stabilize);

    FC fc(100, 10, .5, .02, Device(Kind::CPU), Type::F64);
    fc.bpconfig(BPConfig(1, .5f, 1, 0));
    EXPECT(fc.bpconfig().lrate == .5f);
    EXPECT(fc.kernel().type() == Type::F64);

    // Winners round-trip through the C list.
    Winners ws(2);
    ws[1].push_back(Winner{0, 0, 3, 4, 5});
    spk_winners *cw = to_c(ws);
    Winners back = from_c(cw);
    spk_winners_free(cw);
    EXPECT(back.size() == 2 && back[1].size() == 1 && back[1][0].y == 4);

    // Errors are exceptions with the library's message.
    bool thrown = false;
    try {
        Conv bad(0, 4, 3);
    } catch (const Error &e) {
        thrown = e.status() == SPK_STATUS_ARGUMENT && std::string(e.what()).find("got 0") != std::string::npos;
        std::printf("caught: %s\n", e.what());
    }
    EXPECT(thrown);
    thrown = false;
    try {
        a.kernel(x); // rank 2, expected 4
    } catch (const Error &e) {
        thrown = e.status() == SPK_STATUS_SHAPE;
    }
    EXPECT(thrown);
    std::printf("ok\n");
    return 0;
}
