//! Fuzzes the template parser and renderer: no input may panic, hang or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use windlass::template::{RenderOptions, Template, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Template::parse("fuzz", src) {
        // Fuzzed input must never run commands or read files.
        let opts = RenderOptions::new("/nonexistent-fuzz-base")
            .with_env([("WINDLASS_DISABLE_INSECURE_FEATURES", "true")]);
        let _ = t.render(&Value::Nil, &opts);
    }
});
