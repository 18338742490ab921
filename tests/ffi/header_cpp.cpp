// The C header compiled as C++17 with -Wall -Wextra -Werror, and a few calls through it.
#include <spyker.h>

#include <cstdio>

int main() {
    spk_tensor *t = nullptr;
    size_t shape[1] = {4};
    spk_status s = spk_tensor_create(SPK_DTYPE_I64, shape, 1, &t);
    if (s != SPK_STATUS_OK) return 1;
    s = spk_tensor_fill_int(t, (int64_t(1) << 60) + 1);
    int64_t v[4] = {0, 0, 0, 0};
    if (s != SPK_STATUS_OK || spk_tensor_read(t, v, sizeof v) != SPK_STATUS_OK) return 1;
    spk_tensor_free(t);
    if (v[3] != (int64_t(1) << 60) + 1) return 1;
    s = spk_tensor_create(SPK_DTYPE_F32, shape, 0, &t);
    std::printf("%s: %s\n", spk_status_string(s), spk_last_error_message());
    return s == SPK_STATUS_SHAPE ? 0 : 1;
}
