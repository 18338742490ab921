//! The C ABI (`spk_*` functions, header `include/spyker.h`).
