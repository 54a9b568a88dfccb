/work/main/bench/loadgen/target/release/deps/stable_deref_trait-b0a796435a67a7e9.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/stable_deref_trait-1.2.1/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libstable_deref_trait-b0a796435a67a7e9.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/stable_deref_trait-1.2.1/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libstable_deref_trait-b0a796435a67a7e9.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/stable_deref_trait-1.2.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/stable_deref_trait-1.2.1/src/lib.rs:
