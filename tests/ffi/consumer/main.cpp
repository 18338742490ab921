// A C++ user of the installed spyker::cpp: the bridge header and the static library are found
// through find_package(spyker) (and, built a second time, through pkg-config spyker-cpp); errors
// arrive as spyker::Error with the C status.
#include <spyker/spyker.hpp>
#include <cstdio>
#include <string>

int main() {
    spyker::Version v = spyker::version_numbers();
    std::printf("consumer: spyker %s (%u.%u.%u)\n", spyker::version().c_str(), v.major, v.minor,
                v.patch);
    if (std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch) !=
        spyker::version())
        return 1;
    spyker::random_seed(1);
    spyker::FC fc(4, 2);
    std::printf("consumer: fc kernel %zu x %zu\n", fc.kernel().shape(0), fc.kernel().shape(1));
    if (fc.kernel().numel() != 8) return 1;
    spyker::Tensor x = spyker::Tensor::from(std::vector<uint8_t>{0, 1, 0, 1}, {1, 1, 4});
    spyker::Tensor y = fc(x.to(spyker::Type::F32));
    if (y.shape() != spyker::Shape{1, 1, 2}) return 1;
    try {
        fc.kernel(spyker::Tensor(spyker::Type::F32, {3}));
    } catch (const spyker::Error &e) {
        std::printf("consumer: %s\n", e.what());
        return e.status() == SPK_STATUS_SHAPE ? 0 : 1;
    }
    return 1;
}
