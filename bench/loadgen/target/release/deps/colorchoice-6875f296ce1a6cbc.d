/work/main/bench/loadgen/target/release/deps/colorchoice-6875f296ce1a6cbc.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/colorchoice-1.0.5/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libcolorchoice-6875f296ce1a6cbc.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/colorchoice-1.0.5/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libcolorchoice-6875f296ce1a6cbc.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/colorchoice-1.0.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/colorchoice-1.0.5/src/lib.rs:
