/work/main/bench/loadgen/target/release/deps/crypto_common-01d9b5b8b82335da.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.6/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libcrypto_common-01d9b5b8b82335da.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.6/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libcrypto_common-01d9b5b8b82335da.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.6/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.6/src/lib.rs:
