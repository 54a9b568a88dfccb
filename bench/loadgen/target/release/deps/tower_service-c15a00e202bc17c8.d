/work/main/bench/loadgen/target/release/deps/tower_service-c15a00e202bc17c8.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tower-service-0.3.3/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libtower_service-c15a00e202bc17c8.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tower-service-0.3.3/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libtower_service-c15a00e202bc17c8.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tower-service-0.3.3/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tower-service-0.3.3/src/lib.rs:
