//! The CLI is a client of the library like any other: it can only reach what the library
//! documents. Items that are `pub(crate)` or private cannot be imported from another crate at
//! all (the compiler refuses); the one way around the documented API is an item that is public
//! but `#[doc(hidden)]`. There must be none, so everything the CLI imports is in the rustdoc.

use windlass_tests::{files_below, repo_root};

#[test]
fn the_library_hides_no_public_item_from_its_documentation() {
    let root = repo_root();
    let hidden: Vec<String> = files_below(&root.join("crates/core/src"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.replace(' ', "").contains("doc(hidden"))
                .map(|(n, line)| format!("{shown}:{}: {}", n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(hidden, Vec::<String>::new());
}

#[test]
fn missing_docs_are_an_error_in_the_library() {
    let lib = std::fs::read_to_string(repo_root().join("crates/core/src/lib.rs"))
        .unwrap_or_else(|e| panic!("cannot read lib.rs: {e}"));
    assert!(
        lib.lines()
            .any(|line| line.trim() == "#![deny(missing_docs)]"),
        "crates/core/src/lib.rs must deny missing_docs"
    );
}
