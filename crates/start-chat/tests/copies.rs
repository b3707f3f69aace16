//! The CORS header lists exist in three places that cannot share one definition: the
//! code, the template's API Gateway error responses, and the README. They must agree.

use start_chat::handler::{ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS};

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(name),
    )
    .unwrap()
}

/// The values of `key: "'value'"` lines in the template.
fn template_values(template: &str, key: &str) -> Vec<String> {
    template
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
        .map(|v| v.trim_matches(|c| c == '"' || c == '\'').to_owned())
        .collect()
}

#[test]
fn the_template_sends_the_headers_the_code_sends() {
    let template = repo_file("template.yaml");
    let headers = template_values(&template, "Access-Control-Allow-Headers");
    let methods = template_values(&template, "Access-Control-Allow-Methods");
    assert!(
        headers.len() >= 6,
        "gateway responses with CORS headers: {headers:?}"
    );
    assert!(headers.iter().all(|h| h == ALLOW_HEADERS), "{headers:?}");
    assert_eq!(methods.len(), headers.len());
    assert!(methods.iter().all(|m| m == ALLOW_METHODS), "{methods:?}");
    let exposed = template_values(&template, "Access-Control-Expose-Headers");
    assert!(
        !exposed.is_empty() && exposed.iter().all(|e| e == EXPOSE_HEADERS),
        "{exposed:?}"
    );
}

#[test]
fn the_readme_documents_the_headers_the_code_sends() {
    let readme = repo_file("README.md");
    assert!(readme.contains(&format!("`Access-Control-Allow-Headers: {ALLOW_HEADERS}`")));
    assert!(readme.contains(&format!("`Access-Control-Allow-Methods: {ALLOW_METHODS}`")));
    assert!(readme.contains(&format!(
        "`Access-Control-Expose-Headers: {EXPOSE_HEADERS}`"
    )));
}
