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

    /* ---- round 2: every op, filter, ZCA, file and CUDA entry point ---- */
    {
        size_t s5[5] = {1, 2, 2, 6, 6};
        size_t k4[4] = {2, 2, 3, 3};
        size_t two[2] = {2, 2};
        size_t zero2[2] = {0, 0};
        size_t pad4[4] = {1, 1, 1, 1};
        spk_tensor *x5 = NULL, *u5 = NULL, *k = NULL, *t2 = NULL;
        spk_winners *wo = (spk_winners *)sentinel;
        EXPECT(spk_tensor_create(SPK_DTYPE_F32, s5, 5, &x5), OK);
        EXPECT(spk_tensor_create(SPK_DTYPE_U8, s5, 5, &u5), OK);
        EXPECT(spk_tensor_create(SPK_DTYPE_F32, k4, 4, &k), OK);
        EXPECT(spk_tensor_create(SPK_DTYPE_F32, two, 2, &t2), OK);

        /* coding */
        EXPECT(spk_encode(NULL, 4, true, SPK_DTYPE_U8, SPK_CODE_RANK, &out), NUL);
        EXPECT(spk_encode(t, 4, true, SPK_DTYPE_U8, SPK_CODE_RANK, NULL), NUL);
        EXPECT(spk_encode(t, 0, true, SPK_DTYPE_U8, SPK_CODE_RANK, &out), ARG);
        EXPECT(spk_encode(t, -3, true, SPK_DTYPE_U8, SPK_CODE_RANK, &out), ARG);
        EXPECT(spk_encode(t, 4, true, 77, SPK_CODE_RANK, &out), DTY);
        EXPECT(spk_encode(t, 4, true, SPK_DTYPE_U8, 9, &out), ARG);
        EXPECT(spk_encode_into(t, t, 4, true, SPK_CODE_RANK), SHP);
        EXPECT(spk_encode_into(t, NULL, 4, true, SPK_CODE_RANK), NUL);
        EXPECT(spk_infinite(NULL, 0.0, &out), NUL);
        EXPECT(spk_infinite(t, 0.0, NULL), NUL);
        EXPECT(spk_infinite_inplace(NULL, 0.0), NUL);

        /* neurons */
        EXPECT(spk_fire(NULL, 1.0, SPK_DTYPE_U8, SPK_CODE_RANK, &out), NUL);
        EXPECT(spk_fire(t, 1.0, 42, SPK_CODE_RANK, &out), DTY);
        EXPECT(spk_fire(t, 1.0, SPK_DTYPE_U8, -1, &out), ARG);
        EXPECT(spk_fire(t, 1.0, SPK_DTYPE_U8, SPK_CODE_RANK, NULL), NUL);
        EXPECT(spk_fire_into(t, x5, 1.0, SPK_CODE_RANK), SHP);
        EXPECT(spk_fire_into(t, NULL, 1.0, SPK_CODE_RANK), NUL);
        EXPECT(spk_threshold(NULL, 1.0, 0.0, &out), NUL);
        EXPECT(spk_threshold(t, 1.0, 0.0, NULL), NUL);
        EXPECT(spk_threshold_inplace(NULL, 1.0, 0.0), NUL);
        EXPECT(spk_quantize(NULL, 0.0, 0.5, 1.0, &out), NUL);
        EXPECT(spk_quantize(t, 0.0, 0.5, 1.0, NULL), NUL);
        EXPECT(spk_quantize_inplace(NULL, 0.0, 0.5, 1.0), NUL);
        EXPECT(spk_gather(NULL, 0.0, SPK_DTYPE_U8, SPK_CODE_RANK, &out), NUL);
        EXPECT(spk_gather(x5, 0.0, 99, SPK_CODE_RANK, &out), DTY);
        EXPECT(spk_gather(x5, 0.0, SPK_DTYPE_U8, 5, &out), ARG);
        EXPECT(spk_gather_into(x5, u5, 0.0, SPK_CODE_RANK), SHP);
        EXPECT(spk_gather_into(x5, x5, 0.0, SPK_CODE_RANK), ARG); /* output aliases input */
        EXPECT(spk_scatter(NULL, 4, SPK_DTYPE_U8, &out), NUL);
        EXPECT(spk_scatter(t, 0, SPK_DTYPE_U8, &out), ARG);
        EXPECT(spk_scatter(t, 4, -2, &out), DTY);
        EXPECT(spk_scatter_into(t, t2), SHP);
        EXPECT(spk_scatter_into(t, t), ARG); /* output aliases input */
        EXPECT(spk_scatter_into(NULL, t), NUL);
        EXPECT(spk_inhibit(t, 0.0, &out), SHP);
        EXPECT(spk_inhibit(NULL, 0.0, &out), NUL);
        EXPECT(spk_inhibit_inplace(NULL, 0.0), NUL);

        /* pad, pool */
        EXPECT(spk_pad(NULL, pad4, 0.0, &out), NUL);
        EXPECT(spk_pad(t, pad4, 0.0, NULL), NUL);
        EXPECT(spk_pad(t, pad4, 0.0, &out), SHP);
        EXPECT(spk_pad_into(x5, x5, pad4, 0.0), SHP);
        EXPECT(spk_pool(x5, NULL, NULL, NULL, NULL, &out), NUL);
        EXPECT(spk_pool(x5, zero2, NULL, NULL, NULL, &out), ARG);
        EXPECT(spk_pool(t, two, NULL, NULL, NULL, &out), SHP);
        EXPECT(spk_pool(x5, two, NULL, NULL, t, &out), SHP);
        EXPECT(spk_pool(x5, two, NULL, NULL, NULL, NULL), NUL);
        EXPECT(spk_pool_into(x5, x5, two, NULL, NULL, NULL), SHP);
        EXPECT(spk_pool_into(x5, NULL, two, NULL, NULL, NULL), NUL);

        /* conv, fc */
        EXPECT(spk_convolve(NULL, k, NULL, NULL, &out), NUL);
        EXPECT(spk_convolve(x5, NULL, NULL, NULL, &out), NUL);
        EXPECT(spk_convolve(x5, k, NULL, NULL, NULL), NUL);
        EXPECT(spk_convolve(x5, t, NULL, NULL, &out), SHP);
        EXPECT(spk_convolve(x5, k, zero2, NULL, &out), ARG);
        EXPECT(spk_convolve_into(x5, k, x5, NULL, NULL), SHP);
        EXPECT(spk_fully_connected(NULL, t, false, &out), NUL);
        EXPECT(spk_fully_connected(t, NULL, false, &out), NUL);
        EXPECT(spk_fully_connected(x5, t, false, &out), SHP);
        EXPECT(spk_fully_connected_into(t, t, NULL, false), NUL);
        EXPECT(spk_conv_forward(NULL, x5, &out), NUL);
        EXPECT(spk_conv_forward(conv, NULL, &out), NUL);
        EXPECT(spk_conv_forward(conv, t, &out), SHP);
        EXPECT(spk_conv_forward(conv, x5, NULL), NUL);
        EXPECT(spk_conv_forward_into(conv, x5, NULL), NUL);
        EXPECT(spk_fc_forward(NULL, t, false, &out), NUL);
        EXPECT(spk_fc_forward(fc, x5, false, &out), SHP);
        EXPECT(spk_fc_forward_into(fc, t, NULL, false), NUL);

        /* winner-take-all, STDP */
        EXPECT(spk_fcwta(NULL, 0, 1, 0.0, &wo), NUL);
        EXPECT(spk_fcwta(t, 0, 0, 0.0, &wo), ARG);
        EXPECT(spk_fcwta(x5, 0, 1, 0.0, &wo), SHP);
        EXPECT(spk_fcwta(t, 0, 1, 0.0, NULL), NUL);
        EXPECT(spk_convwta(NULL, NULL, 1, 0.0, &wo), NUL);
        EXPECT(spk_convwta(x5, NULL, 0, 0.0, &wo), ARG);
        EXPECT(spk_convwta(t, two, 1, 0.0, &wo), SHP);
        EXPECT(spk_convwta(x5, two, 1, 0.0, NULL), NUL);
        if (wo != (spk_winners *)sentinel) { fprintf(stderr, "winners out changed\n"); failures++; }
        {
            spk_winners *bad = NULL;
            spk_winner far = {0, 0, 9, 99, 99}; /* out of range for any layer here */
            EXPECT(spk_winners_create(1, &bad), OK);
            EXPECT(spk_winners_push(bad, 0, &far), OK);
            EXPECT(spk_conv_stdp(NULL, x5, bad, x5), NUL);
            EXPECT(spk_conv_stdp(conv, NULL, bad, x5), NUL);
            EXPECT(spk_conv_stdp(conv, x5, NULL, x5), NUL);
            EXPECT(spk_conv_stdp(conv, x5, bad, NULL), NUL);
            EXPECT(spk_conv_stdp(conv, t, bad, x5), ARG); /* the layer has no STDP config */
            EXPECT(spk_fc_stdp(NULL, t, bad, t, 0), NUL);
            EXPECT(spk_fc_stdp(fc, t, bad, t, 7), ARG);
            EXPECT(spk_fc_stdp(fc, x5, bad, t, 0), ARG);  /* no STDP config */
            {
                size_t in_shape[5] = {1, 2, 1, 6, 6}, out_shape[5] = {1, 2, 1, 4, 2};
                spk_tensor *xin = NULL, *yout = NULL;
                spk_stdp_config cfg;
                EXPECT(spk_stdp_config_init(&cfg, sizeof cfg), OK);
                cfg.positive = 0.004;
                cfg.negative = -0.003;
                EXPECT(spk_conv_stdp_add(conv, &cfg), OK);
                EXPECT(spk_tensor_create(SPK_DTYPE_F32, in_shape, 5, &xin), OK);
                EXPECT(spk_tensor_create(SPK_DTYPE_F32, out_shape, 5, &yout), OK);
                EXPECT(spk_conv_stdp(conv, t, bad, yout), SHP);
                EXPECT(spk_conv_stdp(conv, xin, bad, yout), ARG); /* out-of-range winner */
                far.z = 0; far.y = 0; far.x = 0; far.c = 5;            /* no config 5 */
                EXPECT(spk_winners_clear(bad), OK);
                EXPECT(spk_winners_push(bad, 0, &far), OK);
                EXPECT(spk_conv_stdp(conv, xin, bad, yout), ARG);
                far.c = 0;
                EXPECT(spk_winners_clear(bad), OK);
                EXPECT(spk_winners_push(bad, 0, &far), OK);
                EXPECT(spk_conv_stdp(conv, xin, bad, yout), OK);
                EXPECT(spk_conv_stdp_clear(conv), OK);
                spk_tensor_free(xin);
                spk_tensor_free(yout);
            }
            spk_winners_free(bad);
        }

        /* backprop, labels, canny */
        EXPECT(spk_backward(NULL, t, 4, 1.0, &out), NUL);
        EXPECT(spk_backward(t, NULL, 4, 1.0, &out), NUL);
        EXPECT(spk_backward(t, t, 4, 1.0, &out), DTY); /* target must be i64 */
        EXPECT(spk_backward(t, t, 4, 1.0, NULL), NUL);
        EXPECT(spk_backward_into(t, NULL, t, 4, 1.0), NUL);
        EXPECT(spk_labelize(NULL, 0.0, &out), NUL);
        EXPECT(spk_labelize(x5, 0.0, &out), SHP);
        EXPECT(spk_labelize_into(t, NULL, 0.0), NUL);
        EXPECT(spk_fc_backward(NULL, t, t, t, &out), NUL);
        EXPECT(spk_fc_backward(fc, t, t, t, NULL), NUL);
        EXPECT(spk_fc_backward(fc, x5, t, t, &out), DTY); /* f16 layer: backprop needs f32 */
        EXPECT(spk_fc_backward_into(fc, t, t, t, NULL), NUL);
        EXPECT(spk_canny(NULL, 50, 100, &out), NUL);
        EXPECT(spk_canny(t, 50, 100, &out), SHP);
        EXPECT(spk_canny(u8, 50, 100, NULL), NUL);
        EXPECT(spk_canny_into(u5, NULL, 50, 100), NUL);

        /* spike-time fast paths: NULL handles and outs, times above `time`, time > SPK_MAX_TIME,
         * negative kernel weights: a status and a message, never an abort */
        {
            size_t ts[4] = {1, 2, 6, 6}, tk[4] = {3, 2, 3, 3}, ts5[5] = {1, 4, 2, 6, 6};
            size_t long_train[3] = {1, SPK_MAX_TIME + 1, 2};
            spk_tensor *times = NULL, *late = NULL, *kpos = NULL, *kneg = NULL;
            spk_tensor *train = NULL, *not_rank = NULL, *too_long = NULL, *rt = sentinel;
            spk_winners *wsent = (spk_winners *)sentinel, *won = NULL;
            spk_conv *layer = NULL;
            spk_conv_options lo;
            spk_stdp_config cfg;
            bool rank_coded = true;
            EXPECT(spk_tensor_create(SPK_DTYPE_U8, ts, 4, &times), OK); /* all 0: fire at once */
            EXPECT(spk_tensor_create(SPK_DTYPE_U8, ts, 4, &late), OK);
            EXPECT(spk_tensor_fill(late, 5.0), OK);                     /* 5 > time 4 */
            EXPECT(spk_tensor_create(SPK_DTYPE_F32, tk, 4, &kpos), OK);
            EXPECT(spk_tensor_fill(kpos, 0.25), OK);
            EXPECT(spk_tensor_create(SPK_DTYPE_F32, tk, 4, &kneg), OK);
            EXPECT(spk_tensor_fill(kneg, -0.25), OK);
            EXPECT(spk_tensor_create(SPK_DTYPE_U8, ts5, 5, &train), OK);
            EXPECT(spk_tensor_create(SPK_DTYPE_U8, ts5, 5, &not_rank), OK);
            EXPECT(spk_tensor_fill(not_rank, 2.0), OK);
            EXPECT(spk_tensor_create(SPK_DTYPE_U8, long_train, 3, &too_long), OK);

            EXPECT(spk_rank_times(NULL, &rank_coded, &rt), NUL);
            EXPECT(spk_rank_times(train, NULL, &rt), NUL);
            EXPECT(spk_rank_times(train, &rank_coded, NULL), NUL);
            EXPECT(spk_rank_times(too_long, &rank_coded, &rt), ARG);  /* T > SPK_MAX_TIME */
            if (rt != sentinel || !rank_coded) { fprintf(stderr, "rank_times outs changed\n"); failures++; }
            EXPECT(spk_rank_times(not_rank, &rank_coded, &rt), OK);   /* not rank-coded: NULL */
            if (rt != NULL || rank_coded) { fprintf(stderr, "rank_times: expected NULL, false\n"); failures++; }

            EXPECT(spk_code_times(NULL, 4, true, &out), NUL);
            EXPECT(spk_code_times(kpos, 4, true, NULL), NUL);
            EXPECT(spk_code_times(kpos, 0, true, &out), ARG);
            EXPECT(spk_code_times(kpos, SPK_MAX_TIME + 1, true, &out), ARG);
            EXPECT(spk_times_to_spikes(NULL, 4, &out), NUL);
            EXPECT(spk_times_to_spikes(times, 4, NULL), NUL);
            EXPECT(spk_times_to_spikes(late, 4, &out), ARG);
            EXPECT(spk_times_to_spikes(times, SPK_MAX_TIME + 1, &out), ARG);
            EXPECT(spk_times_to_spikes(times, 0, &out), ARG);
            EXPECT(spk_times_to_spikes(t, 4, &out), DTY);             /* f32 times */

            EXPECT(spk_conv_fire_times(NULL, 4, kpos, NULL, NULL, 1.0, &out), NUL);
            EXPECT(spk_conv_fire_times(times, 4, NULL, NULL, NULL, 1.0, &out), NUL);
            EXPECT(spk_conv_fire_times(times, 4, kpos, NULL, NULL, 1.0, NULL), NUL);
            EXPECT(spk_conv_fire_times(late, 4, kpos, NULL, NULL, 1.0, &out), ARG);
            EXPECT(spk_conv_fire_times(times, SPK_MAX_TIME + 1, kpos, NULL, NULL, 1.0, &out), ARG);
            EXPECT(spk_conv_fire_times(times, 4, kneg, NULL, NULL, 1.0, &out), ARG);
            if (!strstr(spk_last_error_message(), "non-negative")) {
                fprintf(stderr, "negative kernel: %s\n", spk_last_error_message());
                failures++;
            }
            EXPECT(spk_conv_fire_times(times, 4, kpos, zero2, NULL, 1.0, &out), ARG);
            EXPECT(spk_conv_fire_times(times, 4, u8, NULL, NULL, 1.0, &out), DTY);
            EXPECT(spk_conv_fire_times(times, 4, t, NULL, NULL, 1.0, &out), SHP);

            EXPECT(spk_conv_fire_rank(NULL, kpos, NULL, NULL, 1.0, &out), NUL);
            EXPECT(spk_conv_fire_rank(train, NULL, NULL, NULL, 1.0, &out), NUL);
            EXPECT(spk_conv_fire_rank(train, kpos, NULL, NULL, 1.0, NULL), NUL);
            EXPECT(spk_conv_fire_rank(train, kpos, zero2, NULL, 1.0, &out), ARG);
            EXPECT(spk_conv_fire_rank(t, kpos, NULL, NULL, 1.0, &out), SHP);
            EXPECT(spk_conv_fire_rank(train, u8, NULL, NULL, 1.0, &out), DTY);
            EXPECT(spk_conv_fire_rank(train, t, NULL, NULL, 1.0, &out), SHP);

            EXPECT(spk_conv_infinite(NULL, kpos, NULL, NULL, 0.0, &out), NUL);
            EXPECT(spk_conv_infinite(train, NULL, NULL, NULL, 0.0, &out), NUL);
            EXPECT(spk_conv_infinite(train, kpos, NULL, NULL, 0.0, NULL), NUL);
            EXPECT(spk_conv_infinite(train, kpos, zero2, NULL, 0.0, &out), ARG);
            EXPECT(spk_conv_infinite(t, kpos, NULL, NULL, 0.0, &out), SHP);
            EXPECT(spk_conv_infinite(train, u8, NULL, NULL, 0.0, &out), DTY);
            EXPECT(spk_conv_infinite(train, t, NULL, NULL, 0.0, &out), SHP);

            EXPECT(spk_pool_times(times, 4, NULL, NULL, NULL, &out), NUL); /* kernel required */
            EXPECT(spk_pool_times(NULL, 4, two, NULL, NULL, &out), NUL);
            EXPECT(spk_pool_times(times, 4, two, NULL, NULL, NULL), NUL);
            EXPECT(spk_pool_times(late, 4, two, NULL, NULL, &out), ARG);
            EXPECT(spk_pool_times(times, SPK_MAX_TIME + 1, two, NULL, NULL, &out), ARG);
            EXPECT(spk_pool_times(times, 4, zero2, NULL, NULL, &out), ARG);
            EXPECT(spk_pool_times(t, 4, two, NULL, NULL, &out), DTY);

            EXPECT(spk_conv_options_init(&lo, sizeof lo), OK);
            lo.insize = 2;
            lo.outsize = 3;
            lo.kernel[0] = lo.kernel[1] = 3;
            EXPECT(spk_conv_create(&lo, &layer), OK);
            EXPECT(spk_conv_set_kernel(layer, kpos), OK);
            EXPECT(spk_conv_forward_infinite(NULL, train, 0.0, &out), NUL);
            EXPECT(spk_conv_forward_infinite(layer, NULL, 0.0, &out), NUL);
            EXPECT(spk_conv_forward_infinite(layer, train, 0.0, NULL), NUL);
            EXPECT(spk_conv_forward_infinite(layer, t, 0.0, &out), SHP);
            EXPECT(spk_conv_forward_fire(NULL, train, 1.0, &out), NUL);
            EXPECT(spk_conv_forward_fire(layer, NULL, 1.0, &out), NUL);
            EXPECT(spk_conv_forward_fire(layer, train, 1.0, NULL), NUL);
            EXPECT(spk_conv_forward_fire(layer, t, 1.0, &out), SHP);
            EXPECT(spk_conv_forward_fire_times(NULL, times, 4, 1.0, &out), NUL);
            EXPECT(spk_conv_forward_fire_times(layer, NULL, 4, 1.0, &out), NUL);
            EXPECT(spk_conv_forward_fire_times(layer, times, 4, 1.0, NULL), NUL);
            EXPECT(spk_conv_forward_fire_times(layer, late, 4, 1.0, &out), ARG);
            EXPECT(spk_conv_forward_fire_times(layer, times, SPK_MAX_TIME + 1, 1.0, &out), ARG);

            EXPECT(spk_conv_stdp_step(NULL, train, 1.0, NULL, 1, &wsent), NUL);
            EXPECT(spk_conv_stdp_step(layer, NULL, 1.0, NULL, 1, &wsent), NUL);
            EXPECT(spk_conv_stdp_step(layer, train, 1.0, NULL, 1, NULL), NUL);
            EXPECT(spk_conv_stdp_step(layer, train, 1.0, NULL, 1, &wsent), ARG); /* no STDP config */
            EXPECT(spk_conv_stdp_step(layer, t, 1.0, NULL, 1, &wsent), SHP);
            EXPECT(spk_conv_stdp_step_times(NULL, times, 4, 1.0, NULL, 1, &wsent), NUL);
            EXPECT(spk_conv_stdp_step_times(layer, NULL, 4, 1.0, NULL, 1, &wsent), NUL);
            EXPECT(spk_conv_stdp_step_times(layer, times, 4, 1.0, NULL, 1, NULL), NUL);
            EXPECT(spk_stdp_config_init(&cfg, sizeof cfg), OK);
            cfg.positive = 0.004;
            cfg.negative = -0.003;
            EXPECT(spk_conv_stdp_add(layer, &cfg), OK);
            EXPECT(spk_conv_stdp_step_times(layer, late, 4, 1.0, NULL, 1, &wsent), ARG);
            EXPECT(spk_conv_stdp_step_times(layer, times, SPK_MAX_TIME + 1, 1.0, NULL, 1, &wsent), ARG);
            EXPECT(spk_conv_stdp_step(layer, train, 1.0, NULL, 0, &wsent), ARG); /* count 0 */
            if (wsent != (spk_winners *)sentinel) { fprintf(stderr, "winners out changed\n"); failures++; }
            EXPECT(spk_conv_stdp_step_times(layer, times, 4, 1.0, NULL, 1, &won), OK);
            spk_winners_free(won);
            /* negative weights: the times form refuses them, the spike-train forms fall back to
             * the dense composition */
            EXPECT(spk_conv_set_kernel(layer, kneg), OK);
            EXPECT(spk_conv_forward_fire_times(layer, times, 4, 1.0, &out), ARG);
            EXPECT(spk_conv_forward_fire(layer, train, 1.0, &rt), OK);
            spk_tensor_free(rt);
            rt = NULL;
            EXPECT(spk_conv_fire_rank(train, kneg, NULL, NULL, 1.0, &rt), OK);
            spk_tensor_free(rt);
            if (out != sentinel) { fprintf(stderr, "out-pointer changed on failure\n"); failures++; }

            spk_conv_free(layer);
            spk_tensor_free(times);
            spk_tensor_free(late);
            spk_tensor_free(kpos);
            spk_tensor_free(kneg);
            spk_tensor_free(train);
            spk_tensor_free(not_rank);
            spk_tensor_free(too_long);
        }

        /* filters */
        spk_dog_filter dogs[2] = {{1, 2}, {2, 1}};
        spk_gabor_filter gabors[1] = {{2.0, 45.0, 0.5, 5.0, 0.0}};
        double stds[1] = {1.0};
        spk_dog *dog = NULL;
        spk_gabor *gab = NULL;
        spk_log *lg = NULL;
        spk_dog *dog_out = (spk_dog *)sentinel;
        EXPECT(spk_dog_create(1, NULL, 2, NULL, 0, -1, SPK_DTYPE_F32, &dog_out), NUL);
        EXPECT(spk_dog_create(1, dogs, 0, NULL, 0, -1, SPK_DTYPE_F32, &dog_out), ARG);
        EXPECT(spk_dog_create(1, dogs, 2, NULL, 0, -1, SPK_DTYPE_U8, &dog_out), DTY);
        EXPECT(spk_dog_create(1, dogs, 2, NULL, 9, -1, SPK_DTYPE_F32, &dog_out), DEV);
        EXPECT(spk_dog_create(1, dogs, 2, NULL, 0, -1, SPK_DTYPE_F32, NULL), NUL);
        if (dog_out != (spk_dog *)sentinel) { fprintf(stderr, "dog out changed\n"); failures++; }
        EXPECT(spk_dog_create(1, dogs, 2, NULL, 0, -1, SPK_DTYPE_F32, &dog), OK);
        EXPECT(spk_gabor_create(1, NULL, 1, NULL, 0, -1, SPK_DTYPE_F32, &gab), NUL);
        EXPECT(spk_gabor_create(1, gabors, 1, NULL, 0, -1, 99, &gab), DTY);
        EXPECT(spk_gabor_create(1, gabors, 1, NULL, 0, -1, SPK_DTYPE_F32, &gab), OK);
        EXPECT(spk_log_create(1, NULL, 1, NULL, 0, -1, SPK_DTYPE_F32, &lg), NUL);
        EXPECT(spk_log_create(1, stds, 0, NULL, 0, -1, SPK_DTYPE_F32, &lg), ARG);
        EXPECT(spk_log_create(1, stds, 1, NULL, SPK_DEVICE_KIND_CPU, 4, SPK_DTYPE_F32, &lg), DEV);
        EXPECT(spk_log_create(1, stds, 1, NULL, 0, -1, SPK_DTYPE_F32, &lg), OK);
        EXPECT(spk_dog_apply(NULL, t, &out), NUL);
        EXPECT(spk_dog_apply(dog, NULL, &out), NUL);
        EXPECT(spk_dog_apply(dog, t, &out), SHP);
        EXPECT(spk_dog_apply(dog, x5, NULL), NUL);
        EXPECT(spk_dog_apply_into(dog, t, NULL), NUL);
        EXPECT(spk_gabor_apply(gab, t, &out), SHP);
        EXPECT(spk_gabor_apply_into(NULL, t, t), NUL);
        EXPECT(spk_log_apply(lg, t, &out), SHP);
        EXPECT(spk_log_apply_into(lg, NULL, t), NUL);
        EXPECT(spk_dog_kernel(NULL, &out), NUL);
        EXPECT(spk_gabor_kernel(gab, NULL), NUL);
        EXPECT(spk_log_kernel(NULL, &out), NUL);
        spk_dog_free(dog);
        spk_gabor_free(gab);
        spk_log_free(lg);
        spk_dog_free(NULL);
        spk_gabor_free(NULL);
        spk_log_free(NULL);

        /* ZCA */
        spk_zca *z = NULL;
        spk_zca *z_out = (spk_zca *)sentinel;
        EXPECT(spk_zca_create(NULL), NUL);
        EXPECT(spk_zca_create(&z), OK);
        EXPECT(spk_zca_fit(NULL, t, 1e-2, false), NUL);
        EXPECT(spk_zca_fit(z, NULL, 1e-2, false), NUL);
        EXPECT(spk_zca_fit(z, u8, 1e-2, false), DTY);
        EXPECT(spk_zca_apply(z, t, &out), ARG);          /* not fitted */
        EXPECT(spk_zca_apply(z, t, NULL), NUL);
        EXPECT(spk_zca_apply_inplace(z, t), ARG);
        EXPECT(spk_zca_apply_inplace(NULL, t), NUL);
        EXPECT(spk_zca_mean(z, &out), ARG);
        EXPECT(spk_zca_transform(z, &out), ARG);
        EXPECT(spk_zca_mean(NULL, &out), NUL);
        EXPECT(spk_zca_split(NULL, &out), NUL);
        EXPECT(spk_zca_split_into(t, t), SHP);
        EXPECT(spk_zca_from_parts(t, t, &z_out), SHP);
        EXPECT(spk_zca_from_parts(NULL, t, &z_out), NUL);
        EXPECT(spk_zca_save(z, "/nonexistent-dir/zca.npz"), ARG);   /* not fitted */
        EXPECT(spk_zca_save(z, NULL), NUL);
        EXPECT(spk_zca_load("/nonexistent-dir/zca.npz", &z_out), SPK_STATUS_IO);
        EXPECT(spk_zca_load(NULL, &z_out), NUL);
        if (z_out != (spk_zca *)sentinel) { fprintf(stderr, "zca out changed\n"); failures++; }
        spk_zca_free(z);
        spk_zca_free(NULL);

        /* files */
        const char *nowhere = "/nonexistent-dir/file";
        spk_tensor *a = sentinel, *b2 = sentinel, *c = sentinel, *d = sentinel;
        spk_tensor_list *list = (spk_tensor_list *)sentinel;
        spk_strings *strs = (spk_strings *)sentinel;
        spk_csv *csv = (spk_csv *)sentinel;
        const char *name = NULL;
        const char *names[1] = {"x"};
        const spk_tensor *tensors[1] = {t};
        const spk_tensor *null_tensors[1] = {NULL};
        EXPECT(spk_read_mnist(nowhere, nowhere, nowhere, nowhere, &a, &b2, &c, &d), SPK_STATUS_IO);
        EXPECT(spk_read_mnist(NULL, nowhere, nowhere, nowhere, &a, &b2, &c, &d), NUL);
        EXPECT(spk_read_mnist(nowhere, nowhere, nowhere, nowhere, &a, &b2, &c, NULL), NUL);
        EXPECT(spk_load_mnist_dir(nowhere, &a, &b2, &c, &d), SPK_STATUS_IO);
        EXPECT(spk_load_mnist_dir(NULL, &a, &b2, &c, &d), NUL);
        EXPECT(spk_mnist_data(nowhere, &a), SPK_STATUS_IO);
        EXPECT(spk_mnist_label(NULL, &a), NUL);
        if (a != sentinel || d != sentinel) { fprintf(stderr, "mnist out changed\n"); failures++; }
        EXPECT(spk_read_image(nowhere, "", NULL, &out), SPK_STATUS_IO);
        EXPECT(spk_read_image(nowhere, "CMYK", NULL, &out), ARG);
        EXPECT(spk_read_image(NULL, "", NULL, &out), NUL);
        EXPECT(spk_read_image(nowhere, NULL, NULL, &out), NUL);
        EXPECT(spk_read_image_into(t, nowhere, "", NULL), DTY);
        EXPECT(spk_write_image(t, nowhere, "PNG"), DTY);
        EXPECT(spk_write_image(u8, nowhere, "GIF"), ARG);
        EXPECT(spk_write_image(u8, NULL, "PNG"), NUL);
        EXPECT(spk_npz_read(nowhere, &list), SPK_STATUS_IO);
        EXPECT(spk_npz_read(nowhere, NULL), NUL);
        EXPECT(spk_npz_write(nowhere, names, tensors, 1), SPK_STATUS_IO);
        EXPECT(spk_npz_write(nowhere, NULL, tensors, 1), NUL);
        EXPECT(spk_npz_write(nowhere, names, null_tensors, 1), NUL);
        EXPECT(spk_layers_save(nowhere, names, NULL, 1), NUL);
        EXPECT(spk_layers_load(nowhere, &list), SPK_STATUS_IO);
        if (list != (spk_tensor_list *)sentinel) { fprintf(stderr, "list out changed\n"); failures++; }
        EXPECT(spk_tensor_list_count(NULL, &sz), NUL);
        EXPECT(spk_tensor_list_name(NULL, 0, &name), NUL);
        EXPECT(spk_tensor_list_get(NULL, 0, &out), NUL);
        spk_tensor_list_free(NULL);
        EXPECT(spk_conv_save(NULL, nowhere), NUL);
        EXPECT(spk_conv_save(conv, nowhere), SPK_STATUS_IO);
        EXPECT(spk_conv_load(nowhere, &conv_out), SPK_STATUS_IO);
        EXPECT(spk_fc_save(fc, NULL), NUL);
        EXPECT(spk_fc_load(NULL, NULL), NUL);
        EXPECT(spk_csv_open(nowhere, ",", 0, &csv), SPK_STATUS_IO);
        EXPECT(spk_csv_open(nowhere, ",", 5, &csv), ARG);
        EXPECT(spk_csv_open(NULL, ",", 0, &csv), NUL);
        if (csv != (spk_csv *)sentinel) { fprintf(stderr, "csv out changed\n"); failures++; }
        EXPECT(spk_csv_readline(NULL, &strs), NUL);
        EXPECT(spk_csv_skip(NULL, 1, NULL), NUL);
        EXPECT(spk_read_csv(nowhere, ",", 0, &strs), SPK_STATUS_IO);
        EXPECT(spk_read_csv(nowhere, NULL, 0, &strs), NUL);
        if (strs != (spk_strings *)sentinel) { fprintf(stderr, "strings out changed\n"); failures++; }
        EXPECT(spk_strings_count(NULL, &sz), NUL);
        EXPECT(spk_strings_get(NULL, 0, &name), NUL);
        spk_strings_free(NULL);
        spk_csv_free(NULL);

        /* CUDA runtime controls: negative indices are invalid everywhere; without a GPU every
         * control is a device error (or CUDA error), never an abort */
        bool have_cuda = false;
        int32_t arch = 0;
        EXPECT(spk_cuda_available(&have_cuda), OK);
        EXPECT(spk_cuda_set_device(-1), ARG);
        EXPECT(spk_cuda_current_device(NULL), NUL);
        EXPECT(spk_cuda_arch_list(NULL, 0, NULL), NUL);
        EXPECT(spk_cuda_device_arch(-2, &arch), ARG);
        EXPECT(spk_cuda_device_arch(0, NULL), NUL);
        EXPECT(spk_cuda_memory_total(-1, &sz), ARG);
        EXPECT(spk_cuda_memory_free(0, NULL), NUL);
        EXPECT(spk_cuda_memory_taken(-1, &sz), ARG);
        EXPECT(spk_cuda_memory_used(0, NULL), NUL);
        EXPECT(spk_cuda_cache_enabled(-1, &b), ARG);
        EXPECT(spk_cuda_cache_enable(true, -1), ARG);
        EXPECT(spk_cuda_cache_clear(-1), ARG);
        {
            spk_cache_stats cs;
            EXPECT(spk_cache_stats_init(NULL, sizeof cs), NUL);
            EXPECT(spk_cache_stats_init(&cs, 4), ARG);
            EXPECT(spk_cache_stats_init(&cs, sizeof cs), OK);
            EXPECT(spk_cuda_cache_stats(-1, &cs), ARG);
            EXPECT(spk_cuda_cache_stats(0, NULL), NUL);
            EXPECT(spk_cuda_cache_stats(1000, &cs), DEV);
            cs.size = 2;
            EXPECT(spk_cuda_cache_stats(0, &cs), have_cuda ? ARG : DEV);
        }
        EXPECT(spk_cuda_cache_print(-1), ARG);
        EXPECT(spk_cuda_synchronize(-1), ARG);
        EXPECT(spk_cuda_set_device(1000), DEV);
        (void)have_cuda;
        EXPECT(spk_cuda_memory_total(1000, &sz), SPK_STATUS_DEVICE);

        spk_tensor_free(x5);
        spk_tensor_free(u5);
        spk_tensor_free(k);
        spk_tensor_free(t2);
    }

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
