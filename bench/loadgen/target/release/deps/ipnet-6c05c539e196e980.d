/work/main/bench/loadgen/target/release/deps/ipnet-6c05c539e196e980.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipext.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipnet.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/mask.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/parser.rs

/work/main/bench/loadgen/target/release/deps/libipnet-6c05c539e196e980.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipext.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipnet.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/mask.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/parser.rs

/work/main/bench/loadgen/target/release/deps/libipnet-6c05c539e196e980.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipext.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipnet.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/mask.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/parser.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipext.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/ipnet.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/mask.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ipnet-2.12.2/src/parser.rs:
