/work/main/bench/loadgen/target/release/deps/sha1-02d6441715047423.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/soft.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/x86.rs

/work/main/bench/loadgen/target/release/deps/libsha1-02d6441715047423.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/soft.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/x86.rs

/work/main/bench/loadgen/target/release/deps/libsha1-02d6441715047423.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/soft.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/x86.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/soft.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sha1-0.10.7/src/compress/x86.rs:
