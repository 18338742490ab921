/* Calls every entry point with invalid arguments and checks that each returns the right error
 * status with a non-empty message, leaves out-pointers unchanged, and never aborts. */
#include <spyker.h>

#include <stdio.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

static void expect_status(spk_status got, spk_status want, const char *what, int line) {
    const char *msg = spk_last_error_message();
    checks++;
    if (got != want) {
        fprintf(stderr, "line %d: %s: expected status %s, got %s (%s)\n", line, what,
                spk_status_string(want), spk_status_string(got), msg);
        failures++;
    } else if (want != SPK_STATUS_OK && (msg == NULL || msg[0] == '\0')) {
        fprintf(stderr, "line %d: %s: expected an error message, got none\n", line, what);
        failures++;
    } else if (want == SPK_STATUS_OK && msg[0] != '\0') {
        fprintf(stderr, "line %d: %s: expected the message cleared, got %s\n", line, what, msg);
        failures++;
    }
}

#define EXPECT(call, want) expect_status((call), (want), #call, __LINE__)
#define NUL SPK_STATUS_NULL_POINTER
#define ARG SPK_STATUS_ARGUMENT
#define SHP SPK_STATUS_SHAPE
#define DTY SPK_STATUS_DTYPE
#define DEV SPK_STATUS_DEVICE
#define OK SPK_STATUS_OK

int main(void) {
    size_t shape[2] = {2, 3};
    size_t zero_shape[2] = {2, 0};
    size_t sz = 0;
    int32_t i32 = 0;
    int64_t i64 = 0;
    bool b = false;
    float data[6] = {0};
    spk_tensor *t = NULL, *u8 = NULL;
    spk_tensor *sentinel = (spk_tensor *)&sz; /* must stay untouched on failure */
    spk_tensor *out = sentinel;

    /* runtime */
    EXPECT(spk_max_threads(NULL), NUL);
    EXPECT(spk_cuda_available(NULL), NUL);
    EXPECT(spk_cuda_device_count(NULL), NUL);
    EXPECT(spk_all_devices(NULL, NULL, 0, NULL), NUL);
    EXPECT(spk_all_devices(NULL, NULL, 1, &sz), NUL);
    EXPECT(spk_version_numbers(NULL, NULL, NULL), OK);
    if (strcmp(spk_status_string(12345), "unknown status") != 0) failures++;

    /* tensor creation */
    EXPECT(spk_tensor_create(SPK_DTYPE_F32, shape, 2, NULL), NUL);
    EXPECT(spk_tensor_create(SPK_DTYPE_F32, NULL, 2, &out), NUL);
    EXPECT(spk_tensor_create(SPK_DTYPE_F32, shape, 0, &out), SHP);
    EXPECT(spk_tensor_create(99, shape, 2, &out), DTY);
    EXPECT(spk_tensor_create(-1, shape, 2, &out), DTY);
    EXPECT(spk_tensor_create(SPK_DTYPE_F32, zero_shape, 2, &out), SHP);
    EXPECT(spk_tensor_create_on(SPK_DEVICE_KIND_CUDA, 0, SPK_DTYPE_F32, shape, 2, &out), DEV);
    EXPECT(spk_tensor_create_on(7, 0, SPK_DTYPE_F32, shape, 2, &out), DEV);
    EXPECT(spk_tensor_create_on(SPK_DEVICE_KIND_CPU, 3, SPK_DTYPE_F32, shape, 2, &out), DEV);
    EXPECT(spk_tensor_from_data(SPK_DTYPE_F32, shape, 2, data, 5, &out), SHP);
    EXPECT(spk_tensor_from_data(SPK_DTYPE_F32, shape, 2, NULL, sizeof data, &out), NUL);
    EXPECT(spk_tensor_wrap(NULL, 24, SPK_DTYPE_F32, shape, 2, NULL, NULL, &out), NUL);
    EXPECT(spk_tensor_wrap(data, 23, SPK_DTYPE_F32, shape, 2, NULL, NULL, &out), SHP);
    EXPECT(spk_tensor_wrap((char *)data + 1, 23, SPK_DTYPE_U8, shape, 2, NULL, NULL, &out), OK);
    spk_tensor_free(out);
    out = sentinel;
    EXPECT(spk_tensor_wrap((char *)data + 1, 20, SPK_DTYPE_F32, shape, 1, NULL, NULL, &out), ARG);
    if (out != sentinel) { fprintf(stderr, "out-pointer changed on failure\n"); failures++; }

    EXPECT(spk_tensor_create(SPK_DTYPE_F32, shape, 2, &t), OK);
    EXPECT(spk_tensor_create(SPK_DTYPE_U8, shape, 2, &u8), OK);

    /* accessors */
    EXPECT(spk_tensor_rank(NULL, &sz), NUL);
    EXPECT(spk_tensor_rank(t, NULL), NUL);
    EXPECT(spk_tensor_shape(NULL, &sz, 1), NUL);
    EXPECT(spk_tensor_shape(t, &sz, 1), SHP);
    EXPECT(spk_tensor_shape(t, NULL, 2), NUL);
    EXPECT(spk_tensor_numel(NULL, &sz), NUL);
    EXPECT(spk_tensor_bytes(t, NULL), NUL);
    EXPECT(spk_tensor_dtype(NULL, &i32), NUL);
    EXPECT(spk_tensor_device(t, NULL, &i64), NUL);
    EXPECT(spk_tensor_device(t, &i32, NULL), NUL);
    EXPECT(spk_tensor_same_storage(t, NULL, &b), NUL);

    /* copies */
    EXPECT(spk_tensor_read(t, data, 5), SHP);
    EXPECT(spk_tensor_read(t, NULL, sizeof data), NUL);
    EXPECT(spk_tensor_read(NULL, data, sizeof data), NUL);
    EXPECT(spk_tensor_write(t, data, 25), SHP);
    EXPECT(spk_tensor_write(t, NULL, sizeof data), NUL);
    EXPECT(spk_tensor_copy(NULL, &out), NUL);
    EXPECT(spk_tensor_copy(t, NULL), NUL);
    EXPECT(spk_tensor_assign(t, NULL), NUL);
    EXPECT(spk_tensor_assign(NULL, t), NUL);
    EXPECT(spk_tensor_fill(NULL, 1.0), NUL);
    EXPECT(spk_tensor_fill_int(NULL, 1), NUL);
    EXPECT(spk_tensor_to_dtype(t, 11, &out), DTY);
    EXPECT(spk_tensor_to_dtype(t, SPK_DTYPE_F64, NULL), NUL);
    EXPECT(spk_tensor_to_device(t, SPK_DEVICE_KIND_CUDA, -1, &out), DEV);
    EXPECT(spk_tensor_to_device(t, 5, 0, &out), DEV);

    /* views */
    int64_t bad_shape[2] = {4, 4};
    int64_t two_holes[2] = {-1, -1};
    int64_t negative[2] = {-3, 2};
    EXPECT(spk_tensor_reshape(t, bad_shape, 2, &out), SHP);
    EXPECT(spk_tensor_reshape(t, two_holes, 2, &out), SHP);
    EXPECT(spk_tensor_reshape(t, negative, 2, &out), SHP);
    EXPECT(spk_tensor_reshape(t, NULL, 2, &out), NUL);
    EXPECT(spk_tensor_reshape(t, bad_shape, 0, &out), SHP);
    EXPECT(spk_tensor_index(t, 2, &out), ARG);
    EXPECT(spk_tensor_index(t, -1, &out), ARG);
    EXPECT(spk_tensor_index(NULL, 0, &out), NUL);
    EXPECT(spk_tensor_slice(t, 1, 1, &out), ARG);
    EXPECT(spk_tensor_slice(t, 0, 3, &out), ARG);
    EXPECT(spk_tensor_slice(t, 0, 1, NULL), NUL);
    if (out != sentinel) { fprintf(stderr, "out-pointer changed on failure\n"); failures++; }

    /* conv */
    spk_conv_options co;
    spk_conv *conv = NULL;
    spk_conv *conv_out = (spk_conv *)sentinel;
    EXPECT(spk_conv_options_init(NULL, sizeof co), NUL);
    EXPECT(spk_conv_options_init(&co, 4), ARG);
    EXPECT(spk_conv_options_init(&co, sizeof co), OK);
    EXPECT(spk_conv_create(NULL, &conv_out), NUL);
    EXPECT(spk_conv_create(&co, NULL), NUL);
    co.size = 3;
    EXPECT(spk_conv_create(&co, &conv_out), ARG);
    co.size = sizeof co;
    co.dtype = SPK_DTYPE_I32;
    EXPECT(spk_conv_create(&co, &conv_out), DTY);
    co.dtype = 42;
    EXPECT(spk_conv_create(&co, &conv_out), DTY);
    co.dtype = SPK_DTYPE_F32;
    co.insize = 0;
    EXPECT(spk_conv_create(&co, &conv_out), ARG);
    co.insize = 1;
    co.kernel[0] = 0;
    EXPECT(spk_conv_create(&co, &conv_out), ARG);
    co.kernel[0] = 3;
    co.std = -1.0;
    EXPECT(spk_conv_create(&co, &conv_out), ARG);
    co.std = 0.02;
    co.device_kind = SPK_DEVICE_KIND_CUDA;
    EXPECT(spk_conv_create(&co, &conv_out), DEV);
    co.device_kind = SPK_DEVICE_KIND_CPU;
    if (conv_out != (spk_conv *)sentinel) { fprintf(stderr, "conv out changed\n"); failures++; }
    EXPECT(spk_conv_create(&co, &conv), OK);
    EXPECT(spk_conv_kernel(NULL, &out), NUL);
    EXPECT(spk_conv_kernel(conv, NULL), NUL);
    EXPECT(spk_conv_set_kernel(conv, t), SHP);   /* rank 2, expected 4 */
    EXPECT(spk_conv_set_kernel(NULL, t), NUL);
    EXPECT(spk_conv_set_kernel(conv, NULL), NUL);
    EXPECT(spk_conv_geometry(NULL, NULL, NULL), NUL);
    EXPECT(spk_conv_stdp_count(conv, NULL), NUL);
    EXPECT(spk_conv_stdp_add(conv, NULL), NUL);
    EXPECT(spk_conv_stdp_add(NULL, NULL), NUL);
    spk_stdp_config sc;
    EXPECT(spk_stdp_config_init(&sc, sizeof sc), OK);
    EXPECT(spk_conv_stdp_get(conv, 0, &sc), ARG); /* no configs yet */
    EXPECT(spk_conv_stdp_get(conv, 0, NULL), NUL);
    EXPECT(spk_conv_stdp_clear(NULL), NUL);
    EXPECT(spk_stdp_config_init(NULL, sizeof sc), NUL);

    /* fc */
    spk_fc_options fo;
    spk_fc *fc = NULL;
    spk_bp_config bp;
    EXPECT(spk_fc_options_init(&fo, sizeof fo), OK);
    fo.outsize = 0;
    EXPECT(spk_fc_create(&fo, &fc), ARG);
    fo.outsize = 3;
    fo.dtype = SPK_DTYPE_U8;
    EXPECT(spk_fc_create(&fo, &fc), DTY);
    fo.dtype = SPK_DTYPE_F16;
    EXPECT(spk_fc_create(NULL, &fc), NUL);
    EXPECT(spk_fc_create(&fo, &fc), OK);
    EXPECT(spk_fc_set_kernel(fc, u8), DTY);       /* rank 2 but u8 */
    EXPECT(spk_fc_kernel(NULL, &out), NUL);
    EXPECT(spk_fc_stdp_count(NULL, &sz), NUL);
    EXPECT(spk_fc_stdp_add(fc, NULL), NUL);
    EXPECT(spk_fc_stdp_get(fc, 3, &sc), ARG);
    EXPECT(spk_fc_stdp_clear(NULL), NUL);
    EXPECT(spk_bp_config_init(&bp, 2), ARG);
    EXPECT(spk_bp_config_init(&bp, sizeof bp), OK);
    EXPECT(spk_fc_bp_get(NULL, &bp), NUL);
    EXPECT(spk_fc_bp_set(fc, NULL), NUL);
    bp.size = 0;
    EXPECT(spk_fc_bp_set(fc, &bp), ARG);

    /* winners */
    spk_winners *w = NULL;
    spk_winner one = {0, 0, 1, 2, 3};
    EXPECT(spk_winners_create(2, NULL), NUL);
    EXPECT(spk_winners_create(2, &w), OK);
    EXPECT(spk_winners_push(w, 2, &one), ARG);
    EXPECT(spk_winners_push(w, 0, NULL), NUL);
    EXPECT(spk_winners_push(NULL, 0, &one), NUL);
    EXPECT(spk_winners_count(w, 5, &sz), ARG);
    EXPECT(spk_winners_batch(NULL, &sz), NUL);
    EXPECT(spk_winners_get(w, 0, 0, &one), ARG);  /* empty sample */
    EXPECT(spk_winners_get(w, 9, 0, &one), ARG);
    EXPECT(spk_winners_get(w, 0, 0, NULL), NUL);
    EXPECT(spk_winners_clear(NULL), NUL);

    /* a success clears the message */
    EXPECT(spk_tensor_rank(t, &sz), OK);

    /* freeing NULL handles is safe */
    spk_tensor_free(NULL);
    spk_conv_free(NULL);
    spk_fc_free(NULL);
    spk_winners_free(NULL);

    spk_winners_free(w);
    spk_fc_free(fc);
    spk_conv_free(conv);
    spk_tensor_free(u8);
    spk_tensor_free(t);

    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
