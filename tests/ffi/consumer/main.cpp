#include <spyker/spyker.hpp>
#include <cstdio>

int main() {
    spyker::random_seed(1);
    spyker::FC fc(4, 2);
    std::printf("consumer: fc kernel %zu x %zu\n", fc.kernel().shape(0), fc.kernel().shape(1));
    return fc.kernel().numel() == 8 ? 0 : 1;
}
