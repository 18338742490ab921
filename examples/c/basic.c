/* A C tour of the spyker C ABI: version checks, tensors (copy in/out, zero-copy wrapping, views,
 * conversions), a convolution layer with STDP configurations and a winner list.
 * Every call is checked; on failure the program prints the library's message and exits 1. */
#include <spyker.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                        \
    do {                                                                                   \
        spk_status s_ = (call);                                                            \
        if (s_ != SPK_STATUS_OK) {                                                         \
            fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", __FILE__, __LINE__, #call,      \
                    spk_status_string(s_), spk_last_error_message());                      \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define EXPECT(cond)                                                                       \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);           \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

static int released = 0;
static void on_release(void *user) { released += *(int *)user; }

int main(void) {
    EXPECT(spk_abi_version() == SPK_ABI_VERSION);
    uint32_t major = 9, minor = 9, patch = 9;
    CHECK(spk_version_numbers(&major, &minor, &patch));
    printf("spyker %s (ABI %u)\n", spk_version(), (unsigned)spk_abi_version());
    CHECK(spk_set_max_threads(2));
    size_t threads = 0;
    CHECK(spk_max_threads(&threads));
    EXPECT(threads == 2);
    bool cuda = true;
    CHECK(spk_cuda_available(&cuda));
    size_t ndev = 0;
    CHECK(spk_all_devices(NULL, NULL, 0, &ndev));
    EXPECT(ndev >= 1);

    /* Copy in and out. */
    float values[6] = {0.f, 1.5f, -2.f, 3.25f, 4.f, 5.f};
    size_t shape[2] = {2, 3};
    spk_tensor *t = NULL;
    CHECK(spk_tensor_from_data(SPK_DTYPE_F32, shape, 2, values, sizeof values, &t));
    size_t rank = 0, numel = 0, got[4] = {0};
    int32_t dtype = -1;
    CHECK(spk_tensor_rank(t, &rank));
    CHECK(spk_tensor_numel(t, &numel));
    CHECK(spk_tensor_shape(t, got, 4));
    CHECK(spk_tensor_dtype(t, &dtype));
    EXPECT(rank == 2 && numel == 6 && got[0] == 2 && got[1] == 3 && dtype == SPK_DTYPE_F32);

    /* A view: row 1 shares memory with t. */
    spk_tensor *row = NULL;
    CHECK(spk_tensor_index(t, 1, &row));
    CHECK(spk_tensor_fill(row, 7.0));
    float back[6];
    CHECK(spk_tensor_read(t, back, sizeof back));
    EXPECT(back[0] == 0.f && back[2] == -2.f && back[3] == 7.f && back[5] == 7.f);

    /* Conversion: f32 -> i32 truncates toward zero. */
    spk_tensor *ints = NULL;
    CHECK(spk_tensor_to_dtype(t, SPK_DTYPE_I32, &ints));
    int32_t iv[6];
    CHECK(spk_tensor_read(ints, iv, sizeof iv));
    EXPECT(iv[1] == 1 && iv[2] == -2 && iv[3] == 7);

    /* Zero-copy wrapping of caller memory; release runs when the last view goes. */
    uint8_t *buf = calloc(12, 1);
    int token = 1;
    size_t wshape[3] = {2, 2, 3};
    spk_tensor *w = NULL, *wv = NULL;
    CHECK(spk_tensor_wrap(buf, 12, SPK_DTYPE_U8, wshape, 3, on_release, &token, &w));
    int64_t flat[1] = {-1};
    CHECK(spk_tensor_reshape(w, flat, 1, &wv));
    CHECK(spk_tensor_fill_int(w, 200));
    EXPECT(buf[0] == 200 && buf[11] == 200);
    spk_tensor_free(w);
    EXPECT(released == 0); /* the reshaped view still uses the memory */
    spk_tensor_free(wv);
    EXPECT(released == 1);
    free(buf);

    /* A convolution layer: same kernel after the same seed. */
    spk_conv_options opts;
    CHECK(spk_conv_options_init(&opts, sizeof opts));
    opts.insize = 2;
    opts.outsize = 4;
    opts.kernel[0] = opts.kernel[1] = 3;
    opts.pad[0] = opts.pad[1] = opts.pad[2] = opts.pad[3] = 1;
    spk_conv *c1 = NULL, *c2 = NULL;
    CHECK(spk_random_seed(42));
    CHECK(spk_conv_create(&opts, &c1));
    CHECK(spk_random_seed(42));
    CHECK(spk_conv_create(&opts, &c2));
    spk_tensor *k1 = NULL, *k2 = NULL;
    CHECK(spk_conv_kernel(c1, &k1));
    CHECK(spk_conv_kernel(c2, &k2));
    float a[4 * 2 * 3 * 3], b[4 * 2 * 3 * 3];
    CHECK(spk_tensor_read(k1, a, sizeof a));
    CHECK(spk_tensor_read(k2, b, sizeof b));
    EXPECT(memcmp(a, b, sizeof a) == 0);
    double mean = 0;
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) mean += a[i];
    mean /= (double)(sizeof a / sizeof a[0]);
    EXPECT(mean > 0.45 && mean < 0.55);
    printf("conv kernel mean %.4f\n", mean);

    spk_stdp_config cfg;
    CHECK(spk_stdp_config_init(&cfg, sizeof cfg));
    cfg.positive = 0.004;
    cfg.negative = -0.003;
    CHECK(spk_conv_stdp_add(c1, &cfg));
    spk_stdp_config back_cfg;
    CHECK(spk_stdp_config_init(&back_cfg, sizeof back_cfg));
    CHECK(spk_conv_stdp_get(c1, 0, &back_cfg));
    EXPECT(back_cfg.positive == 0.004 && back_cfg.negative == -0.003 && back_cfg.stabilize);

    /* A fully connected layer and its backprop configuration. */
    spk_fc_options fopts;
    CHECK(spk_fc_options_init(&fopts, sizeof fopts));
    fopts.insize = 36;
    fopts.outsize = 10;
    fopts.dtype = SPK_DTYPE_F64;
    spk_fc *fc = NULL;
    CHECK(spk_fc_create(&fopts, &fc));
    spk_bp_config bp;
    CHECK(spk_bp_config_init(&bp, sizeof bp));
    bp.lrate = 0.5f;
    CHECK(spk_fc_bp_set(fc, &bp));
    spk_bp_config bp2;
    CHECK(spk_bp_config_init(&bp2, sizeof bp2));
    CHECK(spk_fc_bp_get(fc, &bp2));
    EXPECT(bp2.lrate == 0.5f && bp2.sfactor == 1.f);

    /* Winners. */
    spk_winners *win = NULL;
    CHECK(spk_winners_create(2, &win));
    spk_winner one = {0, 0, 3, 4, 5};
    CHECK(spk_winners_push(win, 1, &one));
    size_t count = 0;
    CHECK(spk_winners_count(win, 1, &count));
    spk_winner got_w;
    CHECK(spk_winners_get(win, 1, 0, &got_w));
    EXPECT(count == 1 && got_w.z == 3 && got_w.x == 5);

    spk_winners_free(win);
    spk_fc_free(fc);
    spk_tensor_free(k1);
    spk_tensor_free(k2);
    spk_conv_free(c1);
    spk_conv_free(c2);
    spk_tensor_free(ints);
    spk_tensor_free(row);
    spk_tensor_free(t);
    printf("ok\n");
    return 0;
}
