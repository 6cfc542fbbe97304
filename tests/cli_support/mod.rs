//! Locating the CLI example binary, shared by the CLI test files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `target/<profile>/examples/presign`, next to the `deps` folder this test runs from.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile = exe.parent().and_then(Path::parent).expect("the test binary lives in target/<profile>/deps");
        let path = profile.join("examples").join(format!("presign{}", std::env::consts::EXE_SUFFIX));
        assert!(
            path.is_file(),
            "the CLI example is not built at {}: `cargo test` builds it; after `cargo test --test <file>` alone, \
             run `cargo build --all-features --example presign` first",
            path.display()
        );
        path
    })
}
