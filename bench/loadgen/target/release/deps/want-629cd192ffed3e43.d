/work/main/bench/loadgen/target/release/deps/want-629cd192ffed3e43.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/want-0.3.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libwant-629cd192ffed3e43.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/want-0.3.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libwant-629cd192ffed3e43.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/want-0.3.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/want-0.3.2/src/lib.rs:
