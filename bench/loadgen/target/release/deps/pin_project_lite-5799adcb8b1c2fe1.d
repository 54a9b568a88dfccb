/work/main/bench/loadgen/target/release/deps/pin_project_lite-5799adcb8b1c2fe1.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.18/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libpin_project_lite-5799adcb8b1c2fe1.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.18/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libpin_project_lite-5799adcb8b1c2fe1.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.18/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.18/src/lib.rs:
