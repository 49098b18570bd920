//! The exported SDL, its descriptions, and GraphiQL's offline page.

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use serde_json::json;

use crate::helpers::*;

#[test]
fn schema_graphql_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .unwrap_or_default();
    let current = sharing_hub::schema::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it"
    );
}

#[test]
fn every_type_field_argument_and_value_is_described() {
    let doc = async_graphql::parser::parse_schema(sharing_hub::schema::sdl()).unwrap();
    let mut missing = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = &t.node;
        let name = t.name.node.as_str();
        if t.description.is_none() && !matches!(name, "PageInfo") {
            missing.push(name.to_owned());
        }
        match &t.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                    for a in &f.node.arguments {
                        if a.node.description.is_none()
                            && !matches!(a.node.name.node.as_str(), "filter" | "input")
                        {
                            missing
                                .push(format!("{name}.{}({})", f.node.name.node, a.node.name.node));
                        }
                    }
                }
            }
            TypeKind::InputObject(o) => {
                for f in &o.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    if v.node.description.is_none() {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(missing.is_empty(), "undescribed in the SDL: {missing:?}");
}

#[tokio::test]
async fn graphiql_is_served_offline_in_utf_8() {
    let hub = TestHub::spawn().await;
    let res = hub.client.get(hub.url("/graphiql")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    assert!(html.contains("<meta charset=\"utf-8\">"));
    let mut srcs: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    srcs.extend(
        html.split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()),
    );
    assert!(srcs.len() >= 5);
    for src in srcs {
        assert!(src.starts_with('/'), "{src} is not served by the hub");
        let res = hub.client.get(hub.url(src)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{src}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .ends_with("charset=utf-8"),
            "{src}"
        );
    }
}

#[tokio::test]
async fn graphiqls_example_queries_run() {
    let hub = TestHub::spawn_demo().await;
    let all = "commitment:read credit:read certificate:read certificate:verify verification:run metrics:read pii:read audit:read assistance:respond";
    let t = hub.token(MARKET, all);
    for (file, text) in sharing_hub::http::graphiql::EXAMPLES {
        let vars = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("# variables:"))
            .map(|v| serde_json::from_str(v.trim()).unwrap())
            .unwrap_or(json!({}));
        let body = hub.gql(text, vars, Some(&t)).await;
        assert!(body.get("errors").is_none(), "{file}: {body}");
    }
}

#[test]
fn every_example_file_is_a_graphiql_tab() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/graphiql/examples");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut listed: Vec<String> = sharing_hub::http::graphiql::EXAMPLES
        .iter()
        .map(|(f, _)| f.to_string())
        .collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "register new examples in http::graphiql::EXAMPLES"
    );
}

#[tokio::test]
async fn every_migration_goes_down_and_up_again() {
    use migration::MigratorTrait;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    let db = sharing_hub::db::Db::connect(&url, 2).await.unwrap().write;
    migration::Migrator::up(&db, None).await.unwrap();
    migration::Migrator::down(&db, None).await.unwrap();
    migration::Migrator::up(&db, None).await.unwrap();
    assert!(
        migration::Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
}
