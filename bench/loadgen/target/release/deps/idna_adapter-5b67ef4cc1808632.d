/work/main/bench/loadgen/target/release/deps/idna_adapter-5b67ef4cc1808632.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/idna_adapter-1.2.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libidna_adapter-5b67ef4cc1808632.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/idna_adapter-1.2.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libidna_adapter-5b67ef4cc1808632.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/idna_adapter-1.2.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/idna_adapter-1.2.2/src/lib.rs:
