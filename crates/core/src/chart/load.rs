//! Loading a chart as helm's `pkg/chart/loader` does: a folder (walked in name order, symlinks
//! followed, `.helmignore` applied, UTF-8 BOMs dropped) or a `.tgz` archive, then the files
//! sorted into `Chart.yaml`, values, schema, templates, subcharts under `charts/` (folders and
//! archives) and everything else (`.Files`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::error::ChartError;
use super::ignore::Rules;
use super::metadata::{Metadata, read_into};
use super::{Chart, ChartFile, ValuesSchema};
use crate::template::{Value, cannot_unmarshal};

/// helm's `MaxDecompressedFileSize`: no file of a chart may be larger.
const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// helm's `MaxDecompressedChartSize`: an archive may not unpack to more.
const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;

/// A file of a chart before it is sorted: its path from the chart root and its bytes.
struct RawFile {
    name: String,
    data: Vec<u8>,
}

/// Loads the chart folder or `.tgz` archive at `path`.
pub(crate) fn load(path: &Path) -> Result<Chart, ChartError> {
    let meta = std::fs::metadata(path).map_err(|source| ChartError::Io {
        path: path.to_owned(),
        source,
    })?;
    let files = if meta.is_dir() {
        read_dir(path)?
    } else {
        let data = std::fs::read(path).map_err(|source| ChartError::Io {
            path: path.to_owned(),
            source,
        })?;
        if !data.starts_with(b"\x1f\x8b") {
            return Err(load_error(
                path,
                format!(
                    "file '{}' does not appear to be a gzipped archive; got 'application/octet-stream'",
                    path.display()
                ),
            ));
        }
        read_archive(&data).map_err(|m| load_error(path, m))?
    };
    from_files(files).map_err(|m| load_error(path, m))
}

fn load_error(path: &Path, message: String) -> ChartError {
    ChartError::Load {
        path: path.to_owned(),
        message,
    }
}

/// The files of a chart folder, in the order Go's `filepath.Walk` visits them.
fn read_dir(root: &Path) -> Result<Vec<RawFile>, ChartError> {
    let rules = match std::fs::read_to_string(root.join(".helmignore")) {
        Ok(text) => Rules::parse(&text).map_err(|m| load_error(root, m))?,
        Err(_) => Rules::parse("").map_err(|m| load_error(root, m))?,
    };
    let mut files = Vec::new();
    walk(root, "", &rules, &mut files)?;
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, rules: &Rules, out: &mut Vec<RawFile>) -> Result<(), ChartError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ChartError::Io { path, source }
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel = format!("{prefix}{name}");
        // Symlinks are followed, as helm's sympath.Walk does.
        let meta = std::fs::metadata(&path).map_err(io(&path))?;
        if meta.is_dir() {
            if rules.ignore(&rel, true) {
                continue;
            }
            walk(&path, &format!("{rel}/"), rules, out)?;
            continue;
        }
        if rules.ignore(&rel, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(load_error(
                &path,
                format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    path.display()
                ),
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(load_error(
                &path,
                format!("chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"),
            ));
        }
        let data = std::fs::read(&path).map_err(io(&path))?;
        out.push(RawFile {
            name: rel,
            data: strip_bom(data),
        });
    }
    Ok(())
}

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(b"\xef\xbb\xbf") {
        data.drain(..3);
    }
    data
}

/// The files of a gzipped tar archive, each name without its first folder.
fn read_archive(data: &[u8]) -> Result<Vec<RawFile>, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(data));
    let entries = archive.entries().map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut remaining = MAX_CHART_SIZE;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let full = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        let parts: Vec<&str> = full.split('/').collect();
        let name = clean(&parts[1..].join("/"));
        if name.starts_with('/') {
            return Err("chart illegally contains absolute paths".into());
        }
        if name == "." {
            return Err(format!(
                "chart illegally contains content outside the base directory: {full:?}"
            ));
        }
        if name.starts_with("..") {
            return Err("chart illegally references parent directory".into());
        }
        if parts[0] == "Chart.yaml" {
            return Err("chart yaml not in base directory".into());
        }
        let size = entry.header().size().map_err(|e| e.to_string())?;
        if size > remaining {
            return Err(format!(
                "decompressed chart is larger than the maximum file size {MAX_CHART_SIZE}"
            ));
        }
        if size > MAX_FILE_SIZE {
            return Err(format!(
                "decompressed chart file {full:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            ));
        }
        let mut buf = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut buf).map_err(|e| e.to_string())?;
        remaining = remaining.saturating_sub(buf.len() as u64);
        files.push(RawFile {
            name,
            data: strip_bom(buf),
        });
    }
    if files.is_empty() {
        return Err("no files in chart archive".into());
    }
    Ok(files)
}

/// Go's `path.Clean` for the relative paths of an archive.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// helm's `LoadFiles`: sorts a chart's files into its parts and loads its subcharts.
fn from_files(files: Vec<RawFile>) -> Result<Chart, String> {
    let mut metadata: Option<Metadata> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let md = metadata.get_or_insert_with(Metadata::default);
        let doc = yaml_doc(&f.data).map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
        read_into(md, &doc).map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
    }
    let mut chart = Chart {
        metadata: Metadata::default(),
        templates: Vec::new(),
        values: Value::empty_map(),
        schema: None,
        files: Vec::new(),
        dependencies: Vec::new(),
        path: String::new(),
        parsed: Default::default(),
    };
    let mut subcharts: BTreeMap<String, Vec<RawFile>> = BTreeMap::new();
    let mut requirements: Option<Value> = None;
    for f in files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" | "requirements.lock" => {
                if name == "requirements.lock"
                    && metadata.as_ref().is_some_and(|m| m.api_version == "v1")
                {
                    chart.files.push(file(f));
                }
            }
            "values.yaml" => {
                chart.values = match crate::template::read_yaml(&String::from_utf8_lossy(&f.data)) {
                    Ok(v @ Value::Map(_)) => v,
                    Ok(Value::Nil) => Value::empty_map(),
                    Ok(other) => {
                        return Err(format!(
                            "cannot load values.yaml: {}",
                            cannot_unmarshal(&other, "map[string]interface {}")
                        ));
                    }
                    Err(e) => return Err(format!("cannot load values.yaml: {e}")),
                };
            }
            "values.schema.json" => chart.schema = Some(ValuesSchema::new(Arc::from(f.data))),
            "requirements.yaml" => {
                let doc =
                    yaml_doc(&f.data).map_err(|e| format!("cannot load requirements.yaml: {e}"))?;
                requirements = Some(doc);
                if metadata.as_ref().is_some_and(|m| m.api_version == "v1") {
                    chart.files.push(file(f));
                }
            }
            _ if name.starts_with("templates/") => chart.templates.push(file(f)),
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(file(f));
                    continue;
                }
                let rest = &name["charts/".len()..];
                let sub = rest.split('/').next().unwrap_or(rest).to_owned();
                subcharts.entry(sub).or_default().push(RawFile {
                    name: rest.to_owned(),
                    data: f.data,
                });
            }
            _ => chart.files.push(file(f)),
        }
    }
    if let Some(doc) = requirements {
        let md = metadata.get_or_insert_with(Metadata::default);
        read_into(md, &doc).map_err(|e| format!("cannot load requirements.yaml: {e}"))?;
    }
    let Some(mut md) = metadata else {
        return Err("Chart.yaml file is missing".into());
    };
    md.validate()?;
    chart.metadata = md;
    for (n, files) in subcharts {
        if n.starts_with(['_', '.']) {
            continue;
        }
        let sub = if n.ends_with(".tgz") {
            let Some(first) = files.first() else { continue };
            if first.name != n {
                return Err(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.metadata.name, first.name
                ));
            }
            read_archive(&first.data).and_then(from_files)
        } else {
            let inner = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(RawFile {
                        name: rest.to_owned(),
                        data: f.data,
                    })
                })
                .collect();
            from_files(inner)
        };
        let sub = sub.map_err(|e| {
            format!(
                "error unpacking subchart {n} in {}: {e}",
                chart.metadata.name
            )
        })?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

fn file(f: RawFile) -> ChartFile {
    ChartFile {
        name: f.name,
        data: Arc::from(f.data),
    }
}

/// A YAML document as `sigs.k8s.io/yaml` hands it to a struct: keys resolved, numbers as
/// go-yaml typed them (a string field turns them into text).
fn yaml_doc(data: &[u8]) -> Result<Value, String> {
    crate::template::read_yaml_typed(&String::from_utf8_lossy(data))
}
