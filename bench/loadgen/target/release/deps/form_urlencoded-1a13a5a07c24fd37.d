/work/main/bench/loadgen/target/release/deps/form_urlencoded-1a13a5a07c24fd37.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/form_urlencoded-1.2.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libform_urlencoded-1a13a5a07c24fd37.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/form_urlencoded-1.2.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libform_urlencoded-1a13a5a07c24fd37.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/form_urlencoded-1.2.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/form_urlencoded-1.2.2/src/lib.rs:
