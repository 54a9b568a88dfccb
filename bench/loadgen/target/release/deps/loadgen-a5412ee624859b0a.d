/work/main/bench/loadgen/target/release/deps/loadgen-a5412ee624859b0a.d: src/main.rs src/protocol.rs src/session.rs src/stats.rs

/work/main/bench/loadgen/target/release/deps/loadgen-a5412ee624859b0a: src/main.rs src/protocol.rs src/session.rs src/stats.rs

src/main.rs:
src/protocol.rs:
src/session.rs:
src/stats.rs:
