//! The cxx bridge behind the C++ API (`cpp/include/spyker/spyker.hpp`), feature `cxx`.
//!
//! A thin layer: every function converts its arguments, calls the same engine function as the C
//! entry point of the same name in `src/ffi/` (sharing its argument checks), and runs inside
//! [`error::call`], so a panic never crosses into C++ and every failure keeps its `spk_status`
//! category (see [`error`]). Handles are opaque Rust types owned by C++ through `rust::Box`;
//! plain data (extents, devices, winners, configurations, filters) are shared structs.
//!
//! `build.rs` compiles the generated C++ glue (C++17) into the static library; the C++ wrapper
//! includes the generated header `spyker/bridge.rs.h`.

mod error;
mod fused;
mod io;
mod nn;
mod ops;
mod runtime;
mod tensor;

pub use error::{BridgeError, BridgeResult};
pub use fused::*;
pub use io::*;
pub use nn::*;
pub use ops::*;
pub use runtime::*;
pub use tensor::*;

pub(crate) use error::call;

#[cfg(test)]
mod tests;

// The declarations below mirror the functions of the submodules one to one; cxx generates the
// C++ declarations from them.
#[cxx::bridge(namespace = "spyker::bridge")]
pub mod bridge {
    /// A 2-D extent (rows, columns).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Ext2 {
        y: usize,
        x: usize,
    }

    /// Padding (top, left, bottom, right).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Ext4 {
        top: usize,
        left: usize,
        bottom: usize,
        right: usize,
    }

    /// A device: `spk_device_kind` and index (-1 = the default device of the kind).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct DeviceSpec {
        kind: i32,
        index: i64,
    }

    /// A selected neuron (layout of `spk_winner`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Winner {
        c: i64,
        t: i64,
        z: i64,
        y: i64,
        x: i64,
    }

    /// The winners of one sample.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct WinnerList {
        items: Vec<Winner>,
    }

    /// STDP parameters (`spk_stdp_config` without its size field).
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct StdpConfig {
        positive: f64,
        negative: f64,
        stabilize: bool,
        lower: f64,
        upper: f64,
    }

    /// Backpropagation parameters of FC.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct BpConfig {
        sfactor: f32,
        lrate: f32,
        lrf: f32,
        lambda: f32,
    }

    /// Difference-of-Gaussians parameters.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct DogFilter {
        std1: f64,
        std2: f64,
    }

    /// The stride and padding of a convolution layer (`spk_conv_geometry`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct ConvGeometry {
        stride: Ext2,
        pad: Ext4,
    }

    /// The library version as numbers (`spk_version_numbers`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct VersionNumbers {
        major: u32,
        minor: u32,
        patch: u32,
    }

    /// The counters of a CUDA device's caching allocator (`spk_cache_stats`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct CacheStats {
        device: i64,
        enabled: bool,
        taken: usize,
        used: usize,
        cached: usize,
        cached_blocks: usize,
        hits: u64,
        misses: u64,
    }

    /// Gabor parameters (theta in degrees).
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct GaborFilter {
        sigma: f64,
        theta: f64,
        gamma: f64,
        lambda: f64,
        psi: f64,
    }

    extern "Rust" {
        type Tensor;
        type Conv;
        type Fc;
        type Dog;
        type Gabor;
        type Log;
        type Zca;
        type Csv;
        type TensorList;

        // ---------------------------------------------------------------- runtime
        fn version() -> String;
        fn version_numbers() -> Result<VersionNumbers>;
        fn random_seed(seed: i64) -> Result<()>;
        fn set_max_threads(threads: i64) -> Result<()>;
        fn max_threads() -> Result<usize>;
        fn cuda_available() -> Result<bool>;
        fn clear_context() -> Result<()>;
        fn cuda_device_count() -> Result<usize>;
        fn all_devices() -> Result<Vec<DeviceSpec>>;
        fn cuda_set_device(index: i64) -> Result<()>;
        fn cuda_current_device() -> Result<i64>;
        fn cuda_arch_list() -> Result<Vec<i32>>;
        fn cuda_device_arch(index: i64) -> Result<i32>;
        fn cuda_memory_total(index: i64) -> Result<usize>;
        fn cuda_memory_free(index: i64) -> Result<usize>;
        fn cuda_memory_taken(index: i64) -> Result<usize>;
        fn cuda_memory_used(index: i64) -> Result<usize>;
        fn cuda_cache_enabled(index: i64) -> Result<bool>;
        fn cuda_cache_enable(enable: bool, index: i64) -> Result<()>;
        fn cuda_cache_clear(index: i64) -> Result<()>;
        fn cuda_cache_stats(index: i64) -> Result<CacheStats>;
        fn cuda_cache_print(index: i64) -> Result<()>;
        fn cuda_synchronize(index: i64) -> Result<()>;

        // ---------------------------------------------------------------- tensors
        fn tensor_zeros(device: DeviceSpec, dtype: i32, shape: &[usize]) -> Result<Box<Tensor>>;
        fn tensor_from_bytes(dtype: i32, shape: &[usize], data: &[u8]) -> Result<Box<Tensor>>;
        /// # Safety
        /// `data` is valid for `bytes` bytes until the last view of the tensor is dropped.
        unsafe fn tensor_wrap(
            data: *mut u8,
            bytes: usize,
            dtype: i32,
            shape: &[usize],
        ) -> Result<Box<Tensor>>;
        fn tensor_share(t: &Tensor) -> Result<Box<Tensor>>;
        fn tensor_shape(t: &Tensor) -> Result<Vec<usize>>;
        fn tensor_rank(t: &Tensor) -> Result<usize>;
        fn tensor_numel(t: &Tensor) -> Result<usize>;
        fn tensor_bytes(t: &Tensor) -> Result<usize>;
        fn tensor_dtype(t: &Tensor) -> Result<i32>;
        fn tensor_device(t: &Tensor) -> Result<DeviceSpec>;
        fn tensor_reshape(t: &Tensor, shape: &[i64]) -> Result<Box<Tensor>>;
        fn tensor_index(t: &Tensor, index: i64) -> Result<Box<Tensor>>;
        fn tensor_slice(t: &Tensor, start: usize, end: usize) -> Result<Box<Tensor>>;
        fn tensor_fill(t: &Tensor, value: f64) -> Result<()>;
        fn tensor_fill_int(t: &Tensor, value: i64) -> Result<()>;
        fn tensor_to_dtype(t: &Tensor, dtype: i32) -> Result<Box<Tensor>>;
        fn tensor_to_device(t: &Tensor, device: DeviceSpec) -> Result<Box<Tensor>>;
        fn tensor_copy(t: &Tensor) -> Result<Box<Tensor>>;
        fn tensor_assign(dst: &Tensor, src: &Tensor) -> Result<()>;
        fn tensor_read(t: &Tensor, dtype: i32, dst: &mut [u8]) -> Result<()>;
        fn tensor_write(t: &Tensor, dtype: i32, src: &[u8]) -> Result<()>;
        fn tensor_same_storage(a: &Tensor, b: &Tensor) -> Result<bool>;

        // ---------------------------------------------------------------- coding, neurons
        fn encode(x: &Tensor, time: i64, sort: bool, dtype: i32, code: i32) -> Result<Box<Tensor>>;
        fn encode_into(x: &Tensor, y: &Tensor, time: i64, sort: bool, code: i32) -> Result<()>;
        fn infinite(x: &Tensor, value: f64) -> Result<Box<Tensor>>;
        fn infinite_inplace(x: &Tensor, value: f64) -> Result<()>;
        fn fire(x: &Tensor, threshold: f64, dtype: i32, code: i32) -> Result<Box<Tensor>>;
        fn fire_into(x: &Tensor, y: &Tensor, threshold: f64, code: i32) -> Result<()>;
        fn threshold(x: &Tensor, threshold: f64, value: f64) -> Result<Box<Tensor>>;
        fn threshold_inplace(x: &Tensor, threshold: f64, value: f64) -> Result<()>;
        fn quantize(x: &Tensor, lower: f64, middle: f64, upper: f64) -> Result<Box<Tensor>>;
        fn quantize_inplace(x: &Tensor, lower: f64, middle: f64, upper: f64) -> Result<()>;
        fn gather(x: &Tensor, threshold: f64, dtype: i32, code: i32) -> Result<Box<Tensor>>;
        fn gather_into(x: &Tensor, y: &Tensor, threshold: f64, code: i32) -> Result<()>;
        fn scatter(x: &Tensor, time: usize, dtype: i32) -> Result<Box<Tensor>>;
        fn scatter_into(x: &Tensor, y: &Tensor) -> Result<()>;
        fn inhibit(x: &Tensor, threshold: f64) -> Result<Box<Tensor>>;
        fn inhibit_inplace(x: &Tensor, threshold: f64) -> Result<()>;

        // ---------------------------------------------------------------- pad, pool, conv, fc
        fn pad(x: &Tensor, pad: Ext4, value: f64) -> Result<Box<Tensor>>;
        fn pad_into(x: &Tensor, y: &Tensor, pad: Ext4, value: f64) -> Result<()>;
        fn pool(x: &Tensor, kernel: Ext2, stride: Ext2, pad: Ext4) -> Result<Box<Tensor>>;
        fn pool_rates(
            x: &Tensor,
            kernel: Ext2,
            stride: Ext2,
            pad: Ext4,
            rates: &Tensor,
        ) -> Result<Box<Tensor>>;
        fn pool_into(x: &Tensor, y: &Tensor, kernel: Ext2, stride: Ext2, pad: Ext4) -> Result<()>;
        fn pool_rates_into(
            x: &Tensor,
            y: &Tensor,
            kernel: Ext2,
            stride: Ext2,
            pad: Ext4,
            rates: &Tensor,
        ) -> Result<()>;
        fn convolve(x: &Tensor, kernel: &Tensor, stride: Ext2, pad: Ext4) -> Result<Box<Tensor>>;
        fn convolve_into(
            x: &Tensor,
            kernel: &Tensor,
            y: &Tensor,
            stride: Ext2,
            pad: Ext4,
        ) -> Result<()>;
        fn fully_connected(x: &Tensor, kernel: &Tensor, sign: bool) -> Result<Box<Tensor>>;
        fn fully_connected_into(x: &Tensor, kernel: &Tensor, y: &Tensor, sign: bool) -> Result<()>;

        // ---------------------------------------------------------------- wta, learning
        fn fcwta(
            x: &Tensor,
            radius: usize,
            count: usize,
            threshold: f64,
        ) -> Result<Vec<WinnerList>>;
        fn convwta(
            x: &Tensor,
            radius: Ext2,
            count: usize,
            threshold: f64,
        ) -> Result<Vec<WinnerList>>;
        fn backward(x: &Tensor, target: &Tensor, time: usize, gamma: f64) -> Result<Box<Tensor>>;
        fn backward_into(
            x: &Tensor,
            y: &Tensor,
            target: &Tensor,
            time: usize,
            gamma: f64,
        ) -> Result<()>;
        fn labelize(x: &Tensor, threshold: f64) -> Result<Box<Tensor>>;
        fn labelize_into(x: &Tensor, y: &Tensor, threshold: f64) -> Result<()>;
        fn canny(x: &Tensor, low: f64, high: f64) -> Result<Box<Tensor>>;
        fn canny_into(x: &Tensor, y: &Tensor, low: f64, high: f64) -> Result<()>;

        // ---------------------------------------------------------------- Conv, FC
        #[allow(clippy::too_many_arguments)]
        fn conv_new(
            input: usize,
            output: usize,
            kernel: Ext2,
            stride: Ext2,
            pad: Ext4,
            mean: f64,
            std: f64,
            device: DeviceSpec,
            dtype: i32,
        ) -> Result<Box<Conv>>;
        fn conv_forward(c: &Conv, x: &Tensor) -> Result<Box<Tensor>>;
        fn conv_forward_into(c: &Conv, x: &Tensor, y: &Tensor) -> Result<()>;
        fn conv_stdp(c: &mut Conv, x: &Tensor, winners: &[WinnerList], y: &Tensor) -> Result<()>;
        fn conv_kernel(c: &Conv) -> Result<Box<Tensor>>;
        fn conv_set_kernel(c: &mut Conv, kernel: &Tensor) -> Result<()>;
        fn conv_geometry(c: &Conv) -> Result<ConvGeometry>;
        fn conv_stdp_configs(c: &Conv) -> Result<Vec<StdpConfig>>;
        fn conv_set_stdp_configs(c: &mut Conv, configs: &[StdpConfig]) -> Result<()>;
        fn conv_save(c: &Conv, path: &str) -> Result<()>;
        fn conv_load(path: &str) -> Result<Box<Conv>>;

        fn fc_new(
            input: usize,
            output: usize,
            mean: f64,
            std: f64,
            device: DeviceSpec,
            dtype: i32,
        ) -> Result<Box<Fc>>;
        fn fc_forward(f: &Fc, x: &Tensor, sign: bool) -> Result<Box<Tensor>>;
        fn fc_forward_into(f: &Fc, x: &Tensor, y: &Tensor, sign: bool) -> Result<()>;
        fn fc_stdp(
            f: &mut Fc,
            x: &Tensor,
            winners: &[WinnerList],
            y: &Tensor,
            zero_post_time: bool,
        ) -> Result<()>;
        fn fc_backward(f: &mut Fc, x: &Tensor, y: &Tensor, grad: &Tensor) -> Result<Box<Tensor>>;
        fn fc_backward_into(
            f: &mut Fc,
            x: &Tensor,
            y: &Tensor,
            grad: &Tensor,
            next: &Tensor,
        ) -> Result<()>;
        fn fc_kernel(f: &Fc) -> Result<Box<Tensor>>;
        fn fc_set_kernel(f: &mut Fc, kernel: &Tensor) -> Result<()>;
        fn fc_stdp_configs(f: &Fc) -> Result<Vec<StdpConfig>>;
        fn fc_set_stdp_configs(f: &mut Fc, configs: &[StdpConfig]) -> Result<()>;
        fn fc_bp_config(f: &Fc) -> Result<BpConfig>;
        fn fc_set_bp_config(f: &mut Fc, config: BpConfig) -> Result<()>;
        fn fc_save(f: &Fc, path: &str) -> Result<()>;
        fn fc_load(path: &str) -> Result<Box<Fc>>;

        // ---------------------------------------------------------------- spike-time fast paths
        fn rank_times(x: &Tensor) -> Result<Box<TensorList>>;
        fn code_times(x: &Tensor, time: usize, sort: bool) -> Result<Box<Tensor>>;
        fn times_to_spikes(times: &Tensor, time: usize) -> Result<Box<Tensor>>;
        fn conv_fire_times(
            times: &Tensor,
            time: usize,
            kernel: &Tensor,
            stride: Ext2,
            pad: Ext4,
            threshold: f64,
        ) -> Result<Box<Tensor>>;
        #[allow(clippy::too_many_arguments)]
        fn conv_fire_pool_times(
            times: &Tensor,
            time: usize,
            kernel: &Tensor,
            stride: Ext2,
            pad: Ext4,
            threshold: f64,
            pool_kernel: Ext2,
            pool_stride: Ext2,
            pool_pad: Ext4,
        ) -> Result<Box<Tensor>>;
        fn conv_fire_rank(
            x: &Tensor,
            kernel: &Tensor,
            stride: Ext2,
            pad: Ext4,
            threshold: f64,
        ) -> Result<Box<Tensor>>;
        fn conv_infinite(
            x: &Tensor,
            kernel: &Tensor,
            stride: Ext2,
            pad: Ext4,
            value: f64,
        ) -> Result<Box<Tensor>>;
        fn conv_forward_infinite(c: &Conv, x: &Tensor, value: f64) -> Result<Box<Tensor>>;
        fn pool_times(
            times: &Tensor,
            time: usize,
            kernel: Ext2,
            stride: Ext2,
            pad: Ext4,
        ) -> Result<Box<Tensor>>;
        fn conv_forward_fire(c: &Conv, x: &Tensor, threshold: f64) -> Result<Box<Tensor>>;
        fn conv_forward_fire_times(
            c: &Conv,
            times: &Tensor,
            time: usize,
            threshold: f64,
        ) -> Result<Box<Tensor>>;
        fn conv_forward_fire_pool_times(
            c: &Conv,
            times: &Tensor,
            time: usize,
            threshold: f64,
            pool_kernel: Ext2,
            pool_stride: Ext2,
            pool_pad: Ext4,
        ) -> Result<Box<Tensor>>;
        fn conv_stdp_step(
            c: &mut Conv,
            x: &Tensor,
            threshold: f64,
            radius: Ext2,
            count: usize,
        ) -> Result<Vec<WinnerList>>;
        fn conv_stdp_step_times(
            c: &mut Conv,
            times: &Tensor,
            time: usize,
            threshold: f64,
            radius: Ext2,
            count: usize,
        ) -> Result<Vec<WinnerList>>;

        // ---------------------------------------------------------------- filters, ZCA
        fn dog_new(
            size: usize,
            filters: &[DogFilter],
            pad: Ext4,
            device: DeviceSpec,
            dtype: i32,
        ) -> Result<Box<Dog>>;
        fn dog_apply(f: &Dog, x: &Tensor) -> Result<Box<Tensor>>;
        fn dog_apply_into(f: &Dog, x: &Tensor, y: &Tensor) -> Result<()>;
        fn dog_kernel(f: &Dog) -> Result<Box<Tensor>>;
        fn gabor_new(
            size: usize,
            filters: &[GaborFilter],
            pad: Ext4,
            device: DeviceSpec,
            dtype: i32,
        ) -> Result<Box<Gabor>>;
        fn gabor_apply(f: &Gabor, x: &Tensor) -> Result<Box<Tensor>>;
        fn gabor_apply_into(f: &Gabor, x: &Tensor, y: &Tensor) -> Result<()>;
        fn gabor_kernel(f: &Gabor) -> Result<Box<Tensor>>;
        fn log_new(
            size: usize,
            stds: &[f64],
            pad: Ext4,
            device: DeviceSpec,
            dtype: i32,
        ) -> Result<Box<Log>>;
        fn log_apply(f: &Log, x: &Tensor) -> Result<Box<Tensor>>;
        fn log_apply_into(f: &Log, x: &Tensor, y: &Tensor) -> Result<()>;
        fn log_kernel(f: &Log) -> Result<Box<Tensor>>;
        fn zca_new() -> Result<Box<Zca>>;
        fn zca_from_parts(mean: &Tensor, transform: &Tensor) -> Result<Box<Zca>>;
        fn zca_fit(z: &mut Zca, x: &Tensor, epsilon: f64, transform: bool) -> Result<()>;
        fn zca_apply(z: &Zca, x: &Tensor) -> Result<Box<Tensor>>;
        fn zca_apply_inplace(z: &Zca, x: &Tensor) -> Result<()>;
        fn zca_split(x: &Tensor) -> Result<Box<Tensor>>;
        fn zca_split_into(x: &Tensor, y: &Tensor) -> Result<()>;
        fn zca_mean(z: &Zca) -> Result<Box<Tensor>>;
        fn zca_transform(z: &Zca) -> Result<Box<Tensor>>;
        fn zca_save(z: &Zca, path: &str) -> Result<()>;
        fn zca_load(path: &str) -> Result<Box<Zca>>;

        // ---------------------------------------------------------------- files
        fn tensor_list_new() -> Result<Box<TensorList>>;
        fn tensor_list_push(l: &mut TensorList, name: &str, t: &Tensor) -> Result<()>;
        fn tensor_list_len(l: &TensorList) -> Result<usize>;
        fn tensor_list_name(l: &TensorList, index: usize) -> Result<String>;
        fn tensor_list_get(l: &TensorList, index: usize) -> Result<Box<Tensor>>;
        fn read_mnist(
            train_images: &str,
            train_labels: &str,
            test_images: &str,
            test_labels: &str,
        ) -> Result<Box<TensorList>>;
        fn load_mnist_dir(dir: &str) -> Result<Box<TensorList>>;
        fn mnist_data(path: &str) -> Result<Box<Tensor>>;
        fn mnist_label(path: &str) -> Result<Box<Tensor>>;
        fn read_image(path: &str, mode: &str, size: Ext2, resize: bool) -> Result<Box<Tensor>>;
        fn read_image_into(
            y: &Tensor,
            path: &str,
            mode: &str,
            size: Ext2,
            resize: bool,
        ) -> Result<()>;
        fn write_image(x: &Tensor, path: &str, format: &str) -> Result<()>;
        fn csv_open(path: &str, delim: &str, original_split: bool) -> Result<Box<Csv>>;
        fn csv_readline(c: &mut Csv, fields: &mut Vec<String>) -> Result<bool>;
        fn csv_skip(c: &mut Csv, count: usize) -> Result<usize>;
        fn read_csv(path: &str, delim: &str, original_split: bool) -> Result<Vec<String>>;
        fn npz_read(path: &str) -> Result<Box<TensorList>>;
        fn npz_write(path: &str, items: &TensorList) -> Result<()>;
        fn layers_save(path: &str, items: &TensorList) -> Result<()>;
        fn layers_load(path: &str) -> Result<Box<TensorList>>;
    }
}
