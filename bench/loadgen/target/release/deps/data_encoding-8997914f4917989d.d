/work/main/bench/loadgen/target/release/deps/data_encoding-8997914f4917989d.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/data-encoding-2.11.1/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libdata_encoding-8997914f4917989d.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/data-encoding-2.11.1/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libdata_encoding-8997914f4917989d.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/data-encoding-2.11.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/data-encoding-2.11.1/src/lib.rs:
