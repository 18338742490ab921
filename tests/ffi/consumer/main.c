#include <spyker.h>
#include <stdio.h>

int main(void) {
    size_t shape[2] = {3, 4};
    spk_tensor *t = NULL;
    if (spk_abi_version() != SPK_ABI_VERSION) return 1;
    if (spk_tensor_create(SPK_DTYPE_U8, shape, 2, &t) != SPK_STATUS_OK) return 1;
    spk_tensor_free(t);
    printf("consumer: spyker %s\n", spk_version());
    return 0;
}
