//! Helm's release records read directly from the cluster: Secrets (driver `secret`, helm's
//! default) or ConfigMaps (driver `configmap`) named `sh.helm.release.v1.NAME.vN`, labelled
//! `owner=helm,name=NAME,version=N,status=S`, whose `release` field is base64 of gzip of the
//! release as JSON. One list per namespace answers for every release in it; only the revisions a
//! diff needs are decoded, and only their manifest, hooks, status and chart identity are kept
//! (never the values).

use std::collections::HashMap;
use std::io::Read;

use base64::Engine as _;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Resource;
use kube::api::{Api, ListParams};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Cluster, KubeError};
use crate::diff::DeployedRelease;

/// Where helm keeps release records (`HELM_DRIVER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Driver {
    /// Secrets (helm's default).
    #[default]
    Secret,
    /// ConfigMaps.
    ConfigMap,
}

impl Driver {
    /// The driver for a `HELM_DRIVER` value; `None` for drivers not read directly (`sql`,
    /// `memory`), whose releases are read with `helm get`.
    pub fn from_helm_driver(value: Option<&str>) -> Option<Driver> {
        match value.unwrap_or_default() {
            "" | "secret" | "secrets" => Some(Driver::Secret),
            "configmap" | "configmaps" => Some(Driver::ConfigMap),
            _ => None,
        }
    }
}

/// One record's labels, and the payload when decoded.
struct Record {
    object: String,
    name: String,
    revision: u32,
    status: String,
    payload: Option<String>,
}

impl Cluster {
    /// The deployed state of the releases `names` in `namespace`, from one list of their
    /// records; releases without records (or whose latest revision is `uninstalled`) are absent.
    pub async fn deployed_releases(
        &self,
        driver: Driver,
        namespace: &str,
        names: &[&str],
    ) -> Result<HashMap<String, DeployedRelease>, KubeError> {
        if names.is_empty() {
            return Ok(HashMap::new());
        }
        let selector = format!("owner=helm,name in ({})", names.join(","));
        let params = ListParams::default().labels(&selector);
        let records = match driver {
            Driver::Secret => {
                self.list_records::<Secret>(namespace, &params, |secret| {
                    let value = secret.data.as_ref()?.get("release")?;
                    Some(String::from_utf8_lossy(&value.0).into_owned())
                })
                .await?
            }
            Driver::ConfigMap => {
                self.list_records::<ConfigMap>(namespace, &params, |map| {
                    map.data.as_ref()?.get("release").cloned()
                })
                .await?
            }
        };
        let mut by_name: HashMap<String, Vec<Record>> = HashMap::new();
        for record in records {
            by_name.entry(record.name.clone()).or_default().push(record);
        }
        let mut out = HashMap::new();
        for (name, records) in by_name {
            if let Some(deployed) = deployed_release(records, namespace)? {
                out.insert(name, deployed);
            }
        }
        Ok(out)
    }
}

impl Cluster {
    /// The release records of kind `K` (Secret or ConfigMap) `params` selects in `namespace`,
    /// with their `release` field (`payload` reads it).
    async fn list_records<K>(
        &self,
        namespace: &str,
        params: &ListParams,
        payload: impl Fn(&K) -> Option<String>,
    ) -> Result<Vec<Record>, KubeError>
    where
        K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let request = format!(
            "list helm release {}s in namespace {namespace}",
            K::kind(&())
        );
        let list = api
            .list(params)
            .await
            .map_err(|e| self.error(&request, e))?;
        Ok(list
            .items
            .iter()
            .filter_map(|item| record(item.meta(), payload(item)))
            .collect())
    }
}

fn record(
    metadata: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    payload: Option<String>,
) -> Option<Record> {
    let labels = metadata.labels.as_ref()?;
    Some(Record {
        object: metadata.name.clone().unwrap_or_default(),
        name: labels.get("name")?.clone(),
        revision: labels.get("version")?.parse().ok()?,
        status: labels.get("status").cloned().unwrap_or_default(),
        payload,
    })
}

/// The latest revision's status and chart, and the manifest of the last `deployed` revision
/// (else the latest); `None` when the latest revision is `uninstalled`.
fn deployed_release(
    mut records: Vec<Record>,
    namespace: &str,
) -> Result<Option<DeployedRelease>, KubeError> {
    records.sort_by_key(|r| r.revision);
    let Some(latest) = records.last() else {
        return Ok(None);
    };
    if latest.status == "uninstalled" {
        return Ok(None);
    }
    let baseline = records
        .iter()
        .rev()
        .find(|r| r.status == "deployed")
        .unwrap_or(latest);
    let decode = |record: &Record| {
        decode_release(record.payload.as_deref().unwrap_or_default()).map_err(|message| {
            KubeError::Record {
                record: record.object.clone(),
                namespace: namespace.to_string(),
                message,
            }
        })
    };
    let latest_content = decode(latest)?;
    let baseline_content = if baseline.revision == latest.revision {
        None
    } else {
        Some(decode(baseline)?)
    };
    let (chart, chart_version) = latest_content.chart_identity();
    let app_version = latest_content.app_version();
    let last_deployed = latest_content
        .info
        .as_ref()
        .map(|i| i.last_deployed.clone())
        .unwrap_or_default();
    let base = baseline_content.unwrap_or(latest_content);
    Ok(Some(DeployedRelease {
        revision: latest.revision,
        status: latest.status.clone(),
        chart,
        chart_version,
        app_version,
        last_deployed,
        baseline_revision: baseline.revision,
        manifest: base.manifest,
        hooks: base.hooks.into_iter().map(|h| h.manifest).collect(),
    }))
}

/// What windlass reads of a release; every other field (the values above all) is skipped.
#[derive(Deserialize)]
pub struct ReleaseContent {
    #[serde(default)]
    chart: Option<ChartContent>,
    #[serde(default)]
    manifest: String,
    #[serde(default)]
    hooks: Vec<HookContent>,
    #[serde(default)]
    info: Option<InfoContent>,
}

#[derive(Deserialize)]
struct InfoContent {
    #[serde(default)]
    last_deployed: String,
}

#[derive(Deserialize)]
struct ChartContent {
    #[serde(default)]
    metadata: Option<ChartMetadata>,
}

#[derive(Deserialize)]
struct ChartMetadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default, rename = "appVersion")]
    app_version: String,
}

#[derive(Deserialize)]
struct HookContent {
    #[serde(default)]
    manifest: String,
}

impl ReleaseContent {
    fn chart_identity(&self) -> (String, String) {
        self.chart
            .as_ref()
            .and_then(|c| c.metadata.as_ref())
            .map(|m| (m.name.clone(), m.version.clone()))
            .unwrap_or_default()
    }

    fn app_version(&self) -> String {
        self.chart
            .as_ref()
            .and_then(|c| c.metadata.as_ref())
            .map(|m| m.app_version.clone())
            .unwrap_or_default()
    }
}

/// Decodes a record's `release` field: base64, then gzip when it starts with gzip's magic bytes
/// (as helm checks), then JSON. The decompressed text holds the values: it is wiped after use.
pub fn decode_release(payload: &str) -> Result<ReleaseContent, String> {
    let compressed = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|e| format!("the release field is not base64: {e}"))?,
    );
    let mut json = Zeroizing::new(Vec::new());
    if compressed.starts_with(&[0x1f, 0x8b, 0x08]) {
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut json)
            .map_err(|e| format!("the release field is not valid gzip: {e}"))?;
    } else {
        json.extend_from_slice(&compressed);
    }
    serde_json::from_slice(&json).map_err(|e| format!("the release is not valid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn encode(json: &str) -> String {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = gz.write_all(json.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap_or_default())
    }

    fn record(revision: u32, status: &str, manifest: &str, version: &str) -> Record {
        let json = serde_json::json!({
            "name": "web", "version": revision,
            "info": {"status": status, "last_deployed": format!("2026-12-0{revision}T10:00:00Z")},
            "chart": {"metadata": {"name": "app", "version": version, "appVersion": "1.0"}, "values": {"password": "chart-default"}},
            "config": {"password": "hunter2"},
            "manifest": manifest,
            "hooks": [{"name": "migrate", "manifest": "kind: Job\n"}],
        });
        Record {
            object: format!("sh.helm.release.v1.web.v{revision}"),
            name: "web".into(),
            revision,
            status: status.into(),
            payload: Some(encode(&json.to_string())),
        }
    }

    #[test]
    fn the_last_deployed_revision_is_the_baseline_and_the_latest_gives_status_and_chart() {
        let records = vec![
            record(2, "superseded", "v2", "0.1.0"),
            record(4, "failed", "v4", "0.3.0"),
            record(3, "deployed", "v3", "0.2.0"),
        ];
        let deployed = deployed_release(records, "ns").ok().flatten();
        let deployed = deployed.unwrap_or_else(|| panic!("no release"));
        assert_eq!(
            (
                deployed.revision,
                deployed.status.as_str(),
                deployed.chart.as_str(),
                deployed.chart_version.as_str()
            ),
            (4, "failed", "app", "0.3.0")
        );
        assert_eq!(
            (
                deployed.app_version.as_str(),
                deployed.last_deployed.as_str()
            ),
            ("1.0", "2026-12-04T10:00:00Z")
        );
        assert_eq!(
            (deployed.baseline_revision, deployed.manifest.as_str()),
            (3, "v3")
        );
        assert_eq!(deployed.hooks, ["kind: Job\n"]);
        assert!(!format!("{deployed:?}").contains("v3"));
    }

    #[test]
    fn uninstalled_releases_are_absent_and_bad_records_are_errors() {
        let gone = deployed_release(vec![record(5, "uninstalled", "x", "1")], "ns");
        assert!(matches!(gone, Ok(None)));
        let mut bad = record(1, "deployed", "x", "1");
        bad.payload = Some("not base64!".into());
        let error = deployed_release(vec![bad], "ns")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            error,
            "release record sh.helm.release.v1.web.v1 in namespace ns: the release field is not base64: Invalid symbol 32, offset 3."
        );
    }

    #[test]
    fn plain_json_records_decode_too() {
        let plain = base64::engine::general_purpose::STANDARD.encode(r#"{"manifest": "m"}"#);
        assert_eq!(
            decode_release(&plain)
                .map(|r| r.manifest)
                .unwrap_or_default(),
            "m"
        );
    }

    #[test]
    fn drivers_follow_helm_driver() {
        assert_eq!(Driver::from_helm_driver(None), Some(Driver::Secret));
        assert_eq!(
            Driver::from_helm_driver(Some("configmap")),
            Some(Driver::ConfigMap)
        );
        assert_eq!(Driver::from_helm_driver(Some("sql")), None);
    }
}
