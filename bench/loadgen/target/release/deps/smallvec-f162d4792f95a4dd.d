/work/main/bench/loadgen/target/release/deps/smallvec-f162d4792f95a4dd.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libsmallvec-f162d4792f95a4dd.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libsmallvec-f162d4792f95a4dd.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/smallvec-1.16.6/src/lib.rs:
