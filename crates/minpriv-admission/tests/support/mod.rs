//! Shared by the admission tests: Kubernetes objects as the API server sees them, the exported
//! policy evaluated with Kubernetes' CEL libraries, and the scan's verdict on the same object.
#![allow(dead_code)]

use kube_cel::KubeCelExt;
use kube_cel::cel::objects::{Key, Map};
use kube_cel::cel::{Context, Program, Value};
use minpriv_readers::yaml::{self, Node};
use minpriv_rules::Profile;
use serde_json::Value as Json;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `../shared` beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    path.is_dir().then_some(path)
}

/// The YAML and JSON files under `root`, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A YAML value as the API server receives it from kubectl (YAML 1.1 scalars: `yes` is true,
/// `010` is 8) and keeps it after decoding: null fields are gone, a null annotation is "".
/// `None` past a size budget (an alias bomb) or for a key that is not a scalar.
pub fn to_json(node: Node<'_>, budget: &mut usize) -> Option<Json> {
    *budget = budget.checked_sub(1)?;
    if node.is_mapping() {
        let mut map = serde_json::Map::new();
        for (key, value) in node.entries() {
            let key = key.as_str()?.to_string();
            if value.is_null() {
                continue;
            }
            map.insert(key, to_json(value, budget)?);
        }
        return Some(Json::Object(map));
    }
    if node.is_sequence() {
        return node
            .items()
            .map(|item| {
                if item.is_null() {
                    Some(Json::Null)
                } else {
                    to_json(item, budget)
                }
            })
            .collect::<Option<Vec<_>>>()
            .map(Json::Array);
    }
    if node.is_null() {
        return Some(Json::Null);
    }
    if node.style() == Some(granit_parser::ScalarStyle::Plain) {
        if let Some(b) = node.as_bool() {
            return Some(Json::Bool(b));
        }
        if let Some(n) = node.as_yaml11_i64() {
            let text = node.as_str().unwrap_or_default();
            if !text.contains(['.', 'e', 'E']) {
                return Some(Json::from(n));
            }
        }
        if let Some(f) = node
            .as_str()
            .filter(|t| t.bytes().any(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|f| f.is_finite())
        {
            return serde_json::Number::from_f64(f).map(Json::Number);
        }
    }
    Some(Json::String(node.as_str()?.to_string()))
}

/// The Kubernetes objects in `text`: every document with a `kind`, the items of lists.
pub fn objects(text: &str) -> Vec<Json> {
    let stream = yaml::parse(text);
    let mut out = Vec::new();
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        let mut budget = 200_000;
        let Some(value) = to_json(root, &mut budget) else {
            continue;
        };
        push_object(value, &mut out);
    }
    out
}

fn push_object(value: Json, out: &mut Vec<Json>) {
    let Some(kind) = value.get("kind").and_then(Json::as_str) else {
        return;
    };
    if kind == "List" || (kind.ends_with("List") && value.get("items").is_some()) {
        if let Some(items) = value.get("items").and_then(Json::as_array) {
            for item in items {
                let mut item = item.clone();
                if let Json::Object(map) = &mut item {
                    // The API server's typed lists leave kind and apiVersion out of items.
                    if let Some(k) = kind.strip_suffix("List").filter(|k| !k.is_empty()) {
                        map.entry("kind").or_insert_with(|| Json::from(k));
                        if let Some(v) = value.get("apiVersion") {
                            map.entry("apiVersion").or_insert_with(|| v.clone());
                        }
                    }
                }
                push_object(item, out);
            }
        }
        return;
    }
    out.push(value);
}

/// The rules `minpriv scan` reports for `object` under `profile`, at or above `min_severity`.
pub fn scan_rules(
    object: &Json,
    profile: &Profile,
    min_severity: minpriv_model::Severity,
    waived: &dyn Fn(&minpriv_model::Finding) -> bool,
) -> BTreeSet<String> {
    let text = serde_json::to_string_pretty(object).unwrap_or_default();
    let read = minpriv_readers::kubernetes::read(&text);
    minpriv_rules::check_workloads(&read.workloads, profile)
        .into_iter()
        .filter(|f| f.severity >= min_severity && !waived(f))
        .map(|f| f.rule.to_string())
        .collect()
}

/// JSON as CEL: integers as `int` (Kubernetes' int32/int64 fields), not `uint`.
pub fn cel_value(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(items) => Value::List(Arc::new(items.iter().map(cel_value).collect())),
        Json::Object(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), cel_value(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// One exported policy document, compiled.
pub struct CompiledPolicy {
    /// `variables`, in order.
    pub variables: Vec<(String, Program)>,
    /// `(rule, expression, messageExpression)` per validation.
    pub validations: Vec<(String, Program, Program)>,
}

/// Every policy document of an export (`ValidatingAdmissionPolicy`, `ValidatingPolicy` or
/// `ConstraintTemplate`), read back from the YAML text and compiled. Panics on an expression
/// that does not compile: every expression must.
pub fn compile_export(text: &str) -> Vec<CompiledPolicy> {
    let stream = yaml::parse(text);
    assert!(
        stream.errors.is_empty(),
        "export does not parse: {:?}",
        stream.errors
    );
    let mut out = Vec::new();
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        let kind = root
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        let source = match kind {
            "ValidatingAdmissionPolicy" | "ValidatingPolicy" => root.get("spec"),
            "ConstraintTemplate" => root
                .get("spec")
                .and_then(|s| s.get("targets"))
                .and_then(|t| t.items().next())
                .and_then(|t| t.get("code"))
                .and_then(|c| c.items().next())
                .and_then(|c| c.get("source")),
            _ => continue,
        };
        let source = source.unwrap_or_else(|| panic!("{kind} without its CEL"));
        let compile = |expression: &str| {
            Program::compile(expression)
                .unwrap_or_else(|e| panic!("does not compile: {e}\n{expression}"))
        };
        let variables = source
            .get("variables")
            .map(|v| {
                v.items()
                    .map(|item| {
                        let name = item.get("name").and_then(|n| n.as_str()).unwrap();
                        let expr = item.get("expression").and_then(|n| n.as_str()).unwrap();
                        (name.to_string(), compile(expr))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let validations = source
            .get("validations")
            .map(|v| {
                v.items()
                    .map(|item| {
                        let expr = item.get("expression").and_then(|n| n.as_str()).unwrap();
                        let message = item
                            .get("messageExpression")
                            .and_then(|n| n.as_str())
                            .unwrap();
                        let rule = message
                            .strip_prefix("'minpriv ")
                            .and_then(|m| m.split_once(':'))
                            .map(|(r, _)| r.to_string())
                            .unwrap_or_else(|| panic!("no rule in {message}"));
                        (rule, compile(expr), compile(message))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(CompiledPolicy {
            variables,
            validations,
        });
    }
    out
}

/// What the policies say about `object`: the rules it fails with their messages, or the
/// first evaluation error.
pub fn evaluate(
    policies: &[CompiledPolicy],
    object: &Json,
) -> Result<Vec<(String, String)>, String> {
    let mut denied = Vec::new();
    for policy in policies {
        let mut ctx = Context::default().with_all();
        ctx.add_variable_from_value("object", cel_value(object));
        let mut vars: HashMap<Key, Value> = HashMap::new();
        for (name, program) in &policy.variables {
            ctx.add_variable_from_value(
                "variables",
                Value::Map(Map {
                    map: Arc::new(vars.clone()),
                }),
            );
            let value = program
                .execute(&ctx)
                .map_err(|e| format!("variable {name}: {e}"))?;
            vars.insert(Key::String(Arc::new(name.clone())), value);
        }
        ctx.add_variable_from_value(
            "variables",
            Value::Map(Map {
                map: Arc::new(vars),
            }),
        );
        for (rule, program, message) in &policy.validations {
            match program.execute(&ctx) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    let text = match message.execute(&ctx) {
                        Ok(Value::String(s)) => s.to_string(),
                        other => return Err(format!("message of {rule}: {other:?}")),
                    };
                    denied.push((rule.clone(), text));
                }
                other => return Err(format!("validation {rule}: {other:?}")),
            }
        }
    }
    Ok(denied)
}

/// Why the API server would reject `object` before admission sees it, if it would: no
/// `apiVersion`, or a pod template without containers.
pub fn inadmissible(object: &Json) -> Option<String> {
    if object.get("apiVersion").is_none_or(|v| !v.is_string()) {
        return Some("no apiVersion".into());
    }
    let kind = object.get("kind").and_then(Json::as_str)?;
    let text = serde_json::to_string(object).ok()?;
    let stream = yaml::parse(&text);
    let root = stream.documents.first()?.root()?;
    let template = minpriv_readers::kubernetes::pod_template_of(root, kind)?;
    let containers = template.get("spec").and_then(|s| s.get("containers"));
    if containers.is_none_or(|c| !c.is_sequence() || c.is_empty()) {
        return Some("a pod template without containers".into());
    }
    None
}
