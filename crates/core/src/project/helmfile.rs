//! Layout B: Helmfile state files (`helmfile.yaml`, `helmfile.d/`, `-f FILE`) with documents,
//! bases, environments, release templates and sub-helmfiles, as Helmfile v1 reads them.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_yaml::Value;

use crate::location::Location;
use crate::project::error::ProjectError;
use crate::project::fields::{Locate, decode};
use crate::project::layers::Layers;
use crate::project::merge::{Policy, merge};
use crate::project::release::{Inherit, MissingFileHandler};
use crate::project::resolve::{RawRelease, dir_of, resolve};
use crate::project::source::{
    Document, NodePath, Segment, SourceMap, parse_documents, parse_documents_at,
};
use crate::project::state::{EnvironmentSpec, StateDocument, SubHelmfileSpec, validate_document};
use crate::project::state_values::{
    EntryContext, TemplateEnvironment, apply_command_line, load_entries, load_secrets,
    resolve_files,
};
use crate::project::template_data::{EnvironmentData, render, state_data};
use crate::project::{
    Diagnostic, Environment, Layout, LoadOptions, Project, StateFile, display_dir,
};
use crate::template::{MissingKey, TemplateError};

/// Loads the Helmfile project whose main state file (or `helmfile.d` folder) is `main`.
pub(crate) fn load(options: &LoadOptions, main: &Path) -> Result<Project, ProjectError> {
    let mut loader = Loader {
        options,
        states: Vec::new(),
        raw: Vec::new(),
        diagnostics: Vec::new(),
        environment: None,
        environments: Vec::new(),
    };
    for file in state_files(options, main)? {
        loader.load_state(&file, None, None)?;
    }
    let environment = loader.environment.take().unwrap_or_else(|| Environment {
        name: options.environment.clone(),
        kube_context: None,
        values: Value::Mapping(Default::default()),
    });
    let (releases, graph) = resolve(
        loader.raw,
        options,
        &environment,
        &loader.states,
        &mut loader.diagnostics,
    )?;
    let mut environments = loader.environments;
    environments.sort();
    environments.dedup();
    Ok(Project {
        root: display_dir(&options.dir),
        layout: Layout::Helmfile,
        environment,
        environments,
        options: options.clone(),
        states: loader.states,
        releases,
        graph,
        diagnostics: loader.diagnostics,
    })
}

/// The state files `main` names: itself, or the sorted `*.yaml[.gotmpl]` files of a folder.
fn state_files(options: &LoadOptions, main: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let full = options.dir.join(main);
    if !full.is_dir() {
        if !full.is_file() {
            return Err(ProjectError::Read {
                location: Location::file(main),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        return Ok(vec![main.to_path_buf()]);
    }
    let entries = std::fs::read_dir(&full).map_err(|source| ProjectError::Read {
        location: Location::file(main),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yaml.gotmpl") || n.ends_with(".yml"))
        .map(|n| main.join(n))
        .collect();
    files.sort();
    Ok(files)
}

/// A state file's documents and bases merged, with the layers of each release and template,
/// and the documents themselves (but their releases and templates) to point at what set any
/// other node.
#[derive(Default, Clone)]
struct MergedState {
    value: Value,
    /// A sub-helmfile part declared environments without the chosen one: Helmfile 1.x stops
    /// reading the file there and leaves it out.
    lacks_environment: bool,
    releases: Vec<Layers>,
    hooks: Vec<Layers>,
    templates: IndexMap<String, Layers>,
    documents: Vec<Document>,
}

impl MergedState {
    /// One document, with the layers of its releases and templates.
    fn from_document(document: Document) -> Self {
        let key = |k: &str| Segment::Key(k.to_string());
        let count = |list: &str| {
            document
                .value
                .get(list)
                .and_then(Value::as_sequence)
                .map_or(0, Vec::len)
        };
        let items = |list: &str| -> Vec<Layers> {
            (0..count(list))
                .map(|i| Layers::single(document.map.clone(), vec![key(list), Segment::Index(i)]))
                .collect()
        };
        let templates: Vec<String> = document
            .value
            .get("templates")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            releases: items("releases"),
            hooks: items("hooks"),
            templates: templates
                .into_iter()
                .map(|t| {
                    (
                        t.clone(),
                        Layers::single(document.map.clone(), vec![key("templates"), key(&t)]),
                    )
                })
                .collect(),
            documents: vec![Document {
                // Releases and templates have their layers; the rest is small.
                value: without(&document.value, &["releases", "templates"]),
                map: document.map,
            }],
            value: document.value,
            lacks_environment: false,
        }
    }

    /// The document the merged node at `path` came from (the latest one that has it) and its
    /// path there: list items are matched by value, as merging moves them.
    fn source_of(&self, path: &[Segment]) -> Option<(&SourceMap, NodePath)> {
        self.documents.iter().rev().find_map(|document| {
            let (mut here, mut merged) = (&document.value, &self.value);
            let mut found = NodePath::with_capacity(path.len());
            for segment in path {
                match segment {
                    Segment::Key(key) => {
                        here = here.get(key.as_str())?;
                        merged = merged.get(key.as_str())?;
                        found.push(segment.clone());
                    }
                    Segment::Index(i) => {
                        merged = merged.as_sequence()?.get(*i)?;
                        let items = here.as_sequence()?;
                        let j = items.iter().position(|item| item == merged)?;
                        here = &items[j];
                        found.push(Segment::Index(j));
                    }
                }
            }
            Some((&*document.map, found))
        })
    }

    /// Puts a later part or layer on top of this one; with [`Policy::Parts`] its releases replace
    /// these, as Helmfile's override merge replaces a non-empty list.
    fn absorb(&mut self, mut other: MergedState, policy: Policy) {
        if policy == Policy::Bases
            && let Some(Value::Mapping(theirs)) = other
                .value
                .as_mapping_mut()
                .and_then(|m| m.remove("templates"))
        {
            // A later layer's template replaces an earlier one whole (Helmfile 1.x's mergo
            // override of a map of structs, pkg/state/create.go loadBases); environments merge
            // field by field like the rest (its mergeEnvironments).
            if self.value.is_null() {
                self.value = Value::Mapping(Default::default());
            }
            if let Some(ours) = self.value.as_mapping_mut() {
                let entry = ours
                    .entry(Value::String("templates".into()))
                    .or_insert(Value::Mapping(Default::default()));
                if let Value::Mapping(ours) = entry {
                    ours.extend(theirs);
                }
            }
        }
        merge(&mut self.value, other.value, policy);
        for (ours, theirs) in [
            (&mut self.releases, other.releases),
            (&mut self.hooks, other.hooks),
        ] {
            if policy == Policy::Parts && !theirs.is_empty() {
                *ours = theirs;
            } else {
                ours.extend(theirs);
            }
        }
        for (name, layers) in other.templates {
            match policy {
                Policy::Bases => {
                    self.templates.insert(name, layers);
                }
                _ => self.templates.entry(name).or_default().extend(&layers),
            }
        }
        self.documents.extend(other.documents);
    }
}

/// A copy of the mapping `value` without `keys`.
fn without(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Mapping(map) => Value::Mapping(
            map.iter()
                .filter(|(k, _)| k.as_str().is_none_or(|k| !keys.contains(&k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Nodes of a merged state file (`shown`) under `prefix`, located in the documents that set
/// them; the whole file when none does.
struct StateAt<'a> {
    merged: &'a MergedState,
    shown: &'a Path,
    prefix: NodePath,
}

impl<'a> StateAt<'a> {
    fn new(merged: &'a MergedState, shown: &'a Path, prefix: &[&str]) -> Self {
        Self {
            merged,
            shown,
            prefix: prefix
                .iter()
                .map(|k| Segment::Key((*k).to_string()))
                .collect(),
        }
    }

    /// Where entry `index` of the list at `list` (below the prefix) is written.
    fn item(&self, list: &[Segment], index: usize) -> Location {
        let mut path = list.to_vec();
        path.push(Segment::Index(index));
        self.locate_below(&path)
    }
}

impl Locate for StateAt<'_> {
    fn locate_below(&self, path: &[Segment]) -> Location {
        let mut full = self.prefix.clone();
        full.extend_from_slice(path);
        (0..=full.len())
            .rev()
            .find_map(|len| self.merged.source_of(&full[..len]))
            .map_or_else(
                || Location::file(self.shown),
                |(map, found)| map.locate(&found),
            )
    }
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

struct Loader<'a> {
    options: &'a LoadOptions,
    states: Vec<StateFile>,
    raw: Vec<RawRelease>,
    diagnostics: Vec<Diagnostic>,
    /// The environment of the first top-level state file.
    environment: Option<Environment>,
    environments: Vec<String>,
}

/// What a parent's `helmfiles:` entry passes a sub-helmfile.
struct PassedDown {
    /// The parent's environment.
    environment: Environment,
    /// The entry's `values:`, merged.
    values: Value,
    /// Whether the entry has `values:` at all: Helmfile counts the entries, so `values: [{}]`
    /// passes values.
    has_values: bool,
}

/// What a sub-helmfile was passed, `None` for a top-level state file.
type Passed<'p> = Option<&'p PassedDown>;

/// The environment a state file resolves to, and what printing and resolving need of it.
struct ResolvedEnvironment {
    environment: Environment,
    secret_paths: Vec<Vec<Value>>,
    /// The state file's `missingFileHandler`.
    missing: MissingFileHandler,
    /// The environment's `missingFileHandler`, or the state file's.
    entries_missing: MissingFileHandler,
}

impl Loader<'_> {
    /// Loads one state file (`shown`, relative to the project root) and the sub-helmfiles it names.
    fn load_state(
        &mut self,
        shown: &Path,
        passed: Passed<'_>,
        selectors: Option<Vec<String>>,
    ) -> Result<(), ProjectError> {
        let mut merged = self.read_merged(shown, true, passed, &dir_of(shown))?;
        // The releases move out of the document (decoding and keeping it would copy them);
        // their layers locate them, and `build` prints them from the resolved releases.
        let releases = match merged.value.get_mut("releases") {
            Some(Value::Sequence(list)) => std::mem::take(list),
            _ => Vec::new(),
        };
        let whole = StateAt::new(&merged, shown, &[]);
        let state: StateDocument = decode(&merged.value, &whole, "the state file")?;
        if passed.is_none() {
            self.environments.extend(state.environments.keys().cloned());
        } else if merged.lacks_environment || self.skips_undefined_environment(&state, passed) {
            self.diagnostics.push(Diagnostic {
                level: MissingFileHandler::Info,
                location: Location::file(shown),
                message: format!(
                    "sub-helmfile skipped: it does not define environment \"{}\" (as Helmfile does)",
                    self.options.environment
                ),
            });
            return Ok(());
        }
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        let resolved = self.resolve_environment(&state, &whole, passed, true, &mut diagnostics);
        self.diagnostics = diagnostics;
        let ResolvedEnvironment {
            environment,
            secret_paths,
            missing,
            entries_missing,
        } = resolved?;
        let shown_dir = dir_of(shown);
        let base_dir = self.options.dir.join(&shown_dir);

        let index = self.states.len();
        self.states.push(StateFile {
            file: shown.to_path_buf(),
            base_dir: base_dir.clone(),
            shown_dir: shown_dir.clone(),
            helm_defaults: decode(
                &state.helm_defaults,
                &StateAt::new(&merged, shown, &["helmDefaults"]),
                "helmDefaults",
            )?,
            repositories: state
                .repositories
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut at = StateAt::new(&merged, shown, &["repositories"]);
                    at.prefix.push(Segment::Index(i));
                    decode(r, &at, "repository")
                })
                .collect::<Result<_, _>>()?,
            lock_file: state.lock_file.clone(),
            selectors,
            values: environment.values.clone(),
            secret_paths,
            common_labels: state
                .common_labels
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        crate::project::release::scalar_text(v).unwrap_or_default(),
                    )
                })
                .collect(),
            api_versions: state.api_versions.clone(),
            kube_version: state
                .kube_version
                .as_ref()
                .and_then(crate::project::release::scalar_text),
            missing_file_handler: missing,
            namespace: state.namespace.clone().filter(|n| !n.is_empty()),
            kube_context: state.kube_context.clone().filter(|c| !c.is_empty()),
            hooks: state
                .hooks
                .iter()
                .zip(&merged.hooks)
                .map(|(hook, layers)| Ok((decode(hook, layers, "hook")?, layers.origin())))
                .collect::<Result<_, ProjectError>>()?,
            helm_binary: state.helm_binary.clone().filter(|b| !b.is_empty()),
            document: merged.value.clone(),
        });

        let templates: IndexMap<String, (Value, Layers)> = state
            .templates
            .iter()
            .map(|(name, value)| {
                let layers = merged.templates.get(name).cloned().unwrap_or_default();
                (name.clone(), (value.clone(), layers))
            })
            .collect();
        let default_inherit = default_inherits(&state.default_inherit);
        for (value, layers) in releases.into_iter().zip(merged.releases.iter().cloned()) {
            let (value, layers) =
                inherit(value, layers, &templates, &default_inherit, &mut Vec::new())?;
            self.raw.push(RawRelease {
                value,
                layers,
                state: index,
            });
        }

        let entries = EntryContext {
            base_dir: &base_dir,
            shown_dir: &shown_dir,
            missing: entries_missing,
            owner: "the state file",
            what: "values file",
            templates: Some(TemplateEnvironment {
                name: &environment.name,
                kube_context: environment.kube_context.as_deref().unwrap_or_default(),
                namespace: self.options.namespace.as_deref().unwrap_or_default(),
                options: self.options,
            }),
        };
        for (i, entry) in state.helmfiles.iter().enumerate() {
            let mut at = StateAt::new(&merged, shown, &["helmfiles"]);
            at.prefix.push(Segment::Index(i));
            let sub: SubHelmfileSpec = match entry {
                Value::String(path) => SubHelmfileSpec {
                    path: path.clone(),
                    ..Default::default()
                },
                other => decode(other, &at, "helmfiles entry")?,
            };
            let owner = format!("helmfiles[{i}]");
            let sub_values = load_entries(
                &sub.values,
                &EntryContext {
                    owner: &owner,
                    ..entries
                },
                &|j| at.item(&[key("values")], j),
                &mut self.diagnostics,
            )?;
            let strict = EntryContext {
                missing: MissingFileHandler::Error,
                owner: &owner,
                what: "sub-helmfile",
                ..entries
            };
            let entry_location = at.locate_below(&[]);
            for file in resolve_files(
                &sub.path,
                &strict,
                &|| entry_location.clone(),
                &mut self.diagnostics,
            )? {
                let sub_shown = shown_dir.join(file.strip_prefix(&base_dir).unwrap_or(&file));
                let selectors = (!sub.selectors.is_empty()).then(|| sub.selectors.clone());
                let passed = PassedDown {
                    environment: environment.clone(),
                    values: sub_values.clone(),
                    has_values: !sub.values.is_empty(),
                };
                self.load_state(&sub_shown, Some(&passed), selectors)?;
            }
        }
        if self.environment.is_none() {
            self.environment = Some(environment);
        }
        Ok(())
    }

    /// Whether a sub-helmfile read whole is left out: Helmfile 1.x skips one that declares no
    /// environments when its `helmfiles:` entry passes no `values:` (one that declares others
    /// was already left out by [`Loader::lacks_environment`]).
    fn skips_undefined_environment(&self, state: &StateDocument, passed: Passed<'_>) -> bool {
        let name = &self.options.environment;
        let passes_values = passed.is_some_and(|p| p.has_values);
        name != "default" && state.environments.is_empty() && !passes_values
    }

    /// Whether the parts merged so far declare environments but not the chosen one (other than
    /// `default`): Helmfile 1.x then stops reading a sub-helmfile before its next part is
    /// rendered (`desired_state_file_loader.go`), so templates in later parts that need the
    /// environment's values never run.
    fn lacks_environment(&self, merged: &Value) -> bool {
        let name = &self.options.environment;
        let declared = merged.get("environments").and_then(Value::as_mapping);
        name != "default"
            && declared.is_some_and(|d| !d.is_empty() && !d.contains_key(name.as_str()))
    }

    /// The environment of a state file and its state values: root `values:`, then the
    /// environment's values and secrets, then what a parent passed, then the command line.
    /// With `strict`, an environment the file does not define is an error (except `default`).
    fn resolve_environment(
        &self,
        state: &StateDocument,
        at: &StateAt<'_>,
        passed: Passed<'_>,
        strict: bool,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<ResolvedEnvironment, ProjectError> {
        let shown = at.shown;
        let file_location = Location::file(shown);
        let name = &self.options.environment;
        let missing = state
            .missing_file_handler
            .unwrap_or(MissingFileHandler::Error);
        let mut env_at = StateAt::new(at.merged, shown, &["environments"]);
        env_at.prefix.push(key(name));
        let spec: EnvironmentSpec = match state.environments.get(name) {
            Some(Value::Null) => EnvironmentSpec::default(),
            Some(spec) => decode(spec, &env_at, "environment")?,
            None if !strict || name == "default" || passed.is_some() => EnvironmentSpec::default(),
            None => {
                let mut defined: Vec<String> = state.environments.keys().cloned().collect();
                defined.sort();
                return Err(ProjectError::UnknownEnvironment {
                    location: file_location,
                    name: name.clone(),
                    defined,
                });
            }
        };
        let shown_dir = dir_of(shown);
        let base_dir = self.options.dir.join(&shown_dir);
        let entries_missing = spec.missing_file_handler.unwrap_or(missing);
        let kube_context_name = spec.kube_context.clone().unwrap_or_default();
        let entries = EntryContext {
            base_dir: &base_dir,
            shown_dir: &shown_dir,
            missing: entries_missing,
            owner: "the state file",
            what: "values file",
            templates: Some(TemplateEnvironment {
                name,
                kube_context: &kube_context_name,
                namespace: self.options.namespace.as_deref().unwrap_or_default(),
                options: self.options,
            }),
        };
        let mut values = load_entries(
            &state.values,
            &entries,
            &|i| at.item(&[key("values")], i),
            diagnostics,
        )?;
        let owner = format!("environment \"{name}\"");
        let env_values = load_entries(
            &spec.values,
            &EntryContext {
                owner: &owner,
                ..entries
            },
            &|i| env_at.item(&[key("values")], i),
            diagnostics,
        )?;
        merge(&mut values, env_values, Policy::Values);
        let (secrets, secret_paths) = load_secrets(
            &spec.secrets,
            &EntryContext {
                owner: &owner,
                what: "secrets file",
                ..entries
            },
            &|i| env_at.item(&[key("secrets")], i),
            &self.options.decrypt,
            diagnostics,
        )?;
        merge(&mut values, secrets, Policy::Values);
        let kube_context = spec
            .kube_context
            .clone()
            .or_else(|| passed.and_then(|p| p.environment.kube_context.clone()));
        if let Some(passed) = passed {
            merge(
                &mut values,
                passed.environment.values.clone(),
                Policy::Values,
            );
            merge(&mut values, passed.values.clone(), Policy::Values);
        }
        apply_command_line(self.options, &mut values)?;
        Ok(ResolvedEnvironment {
            environment: Environment {
                name: name.clone(),
                kube_context,
                values,
            },
            secret_paths,
            missing,
            entries_missing,
        })
    }

    /// The environment as far as the parts merged so far define it, for rendering the next part;
    /// anything that does not resolve yet counts as empty.
    fn environment_so_far(
        &self,
        merged: &MergedState,
        shown: &Path,
        passed: Passed<'_>,
    ) -> Environment {
        let state: StateDocument = serde_yaml::from_value(merged.value.clone()).unwrap_or_default();
        let at = StateAt::new(merged, shown, &[]);
        match self.resolve_environment(&state, &at, passed, false, &mut Vec::new()) {
            Ok(resolved) => resolved.environment,
            Err(_) => Environment {
                name: self.options.environment.clone(),
                kube_context: passed.and_then(|p| p.environment.kube_context.clone()),
                values: passed.map_or_else(
                    || Value::Mapping(Default::default()),
                    |p| p.environment.values.clone(),
                ),
            },
        }
    }

    /// Renders one part of a state file as Helmfile 0.166 does: a first pass (missing keys are
    /// empty, errors tolerated) finds the environments the part itself declares, whose values
    /// the second pass then sees. A plain `.yaml` file whose template fails to render is read as
    /// it is, as Helmfile 1.x reads plain YAML.
    fn render_part(
        &self,
        shown: &Path,
        part: &str,
        merged: &MergedState,
        passed: Passed<'_>,
        dir: &Path,
    ) -> Result<(String, Option<TemplateError>), ProjectError> {
        let base_dir = self.options.dir.join(dir);
        let namespace = self.options.namespace.clone().unwrap_or_default();
        let render_with = |environment: &Environment, missing_key| {
            let data = state_data(
                &EnvironmentData {
                    name: &environment.name,
                    kube_context: environment.kube_context.as_deref().unwrap_or_default(),
                    values: &environment.values,
                },
                &namespace,
            );
            render(shown, part, &data, &base_dir, missing_key, self.options)
        };
        let mut environment = self.environment_so_far(merged, shown, passed);
        if let Ok(first) = render_with(&environment, MissingKey::Zero)
            && let Ok(documents) = parse_documents(shown, &first.replace("<no value>", ""))
        {
            let mut tentative = MergedState {
                value: merged.value.clone(),
                ..Default::default()
            };
            for document in documents {
                tentative.absorb(MergedState::from_document(document), Policy::Parts);
            }
            environment = self.environment_so_far(&tentative, shown, passed);
        }
        match render_with(&environment, MissingKey::Error) {
            Ok(text) => Ok((text, None)),
            Err(error) if shown.extension().is_none_or(|e| e != "gotmpl") => {
                Ok((part.to_string(), Some(error)))
            }
            Err(source) => Err(ProjectError::Template { source }),
        }
    }

    /// Reads a state file part by part (Helmfile splits on `\n---\n`), rendering parts that hold
    /// template actions: each part with its bases beneath it, later parts over earlier ones.
    /// `dir` is where its templates' relative paths start: a base is read as if it stood in the
    /// folder of the file that names it, as Helmfile reads bases.
    fn read_merged(
        &mut self,
        shown: &Path,
        with_bases: bool,
        passed: Passed<'_>,
        dir: &Path,
    ) -> Result<MergedState, ProjectError> {
        let full = self.options.dir.join(shown);
        let text = std::fs::read_to_string(&full)
            .map_err(|source| ProjectError::Read {
                location: Location::file(shown),
                source,
            })?
            .replace("\r\n", "\n");
        let mut merged = MergedState::default();
        let mut line_offset = 0;
        for part in text.split("\n---\n") {
            let (rendered, template_error) = if part.contains("{{") {
                let (text, error) = self.render_part(shown, part, &merged, passed, dir)?;
                (Cow::Owned(text), error)
            } else {
                (Cow::Borrowed(part), None)
            };
            // A plain .yaml read as it is (its template failed) that is not YAML either: the
            // template error is the one to show.
            let documents = match (
                parse_documents_at(shown, &rendered, line_offset),
                template_error,
            ) {
                (Ok(documents), _) => documents,
                (Err(_), Some(source)) => return Err(ProjectError::Template { source }),
                (Err(error), None) => return Err(error),
            };
            let mut part_state = MergedState::default();
            for document in documents {
                validate_document(&document)?;
                part_state.absorb(MergedState::from_document(document), Policy::State);
            }
            line_offset += part.matches('\n').count() as u32 + 2;
            let part_state = self.with_bases(part_state, shown, with_bases, passed)?;
            merged.absorb(part_state, Policy::Parts);
            if with_bases && passed.is_some() && self.lacks_environment(&merged.value) {
                merged.lacks_environment = true;
                break;
            }
        }
        Ok(merged)
    }

    /// Loads the `bases:` a part names and puts the part over them.
    fn with_bases(
        &mut self,
        part: MergedState,
        shown: &Path,
        allowed: bool,
        passed: Passed<'_>,
    ) -> Result<MergedState, ProjectError> {
        let mut part = part;
        let bases: Vec<String> = match part.value.as_mapping_mut().and_then(|m| m.remove("bases")) {
            Some(Value::Sequence(list)) => list
                .iter()
                .filter_map(|b| b.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        if bases.is_empty() {
            return Ok(part);
        }
        if !allowed {
            return Err(ProjectError::InvalidField {
                location: Location::file(shown),
                context: "bases".into(),
                message:
                    "a base cannot have bases of its own (Helmfile does not support nested bases)"
                        .into(),
            });
        }
        let mut layered = MergedState::default();
        for base in bases {
            let base_shown = dir_of(shown).join(&base);
            layered.absorb(
                self.read_merged(&base_shown, false, passed, &dir_of(shown))?,
                Policy::Bases,
            );
        }
        layered.absorb(part, Policy::Bases);
        Ok(layered)
    }
}

fn default_inherits(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Merges the templates a release inherits beneath it, as Helmfile does: templates in order, then
/// the release; set fields override, lists append.
fn inherit(
    mut release: Value,
    layers: Layers,
    templates: &IndexMap<String, (Value, Layers)>,
    default_inherit: &[String],
    path: &mut Vec<String>,
) -> Result<(Value, Layers), ProjectError> {
    let written: Vec<Inherit> = match release.as_mapping_mut().and_then(|m| m.remove("inherit")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(list)) => list
            .into_iter()
            .map(|v| decode(&v, &layers, "inherit"))
            .collect::<Result<_, _>>()?,
        Some(one) => vec![decode(&one, &layers, "inherit")?],
    };
    let mut entries: Vec<Inherit> = default_inherit
        .iter()
        .filter(|d| !written.iter().any(|w| &w.template == *d))
        .map(|d| Inherit {
            template: d.clone(),
            except: Vec::new(),
        })
        .collect();
    entries.extend(written);
    if entries.is_empty() {
        return Ok((release, layers));
    }
    let mut merged = Value::Null;
    let mut merged_layers = Layers::default();
    let location = || layers.locate(&[Segment::Key("inherit".into())]);
    for entry in entries {
        let Some((template, template_layers)) = templates.get(&entry.template) else {
            return Err(ProjectError::InvalidField {
                location: location(),
                context: "inherit".into(),
                message: format!(
                    "template \"{}\" is not defined under `templates:`{}",
                    entry.template,
                    crate::project::error::closest(
                        &entry.template,
                        templates.keys().map(String::as_str)
                    )
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default()
                ),
            });
        };
        if path.contains(&entry.template) {
            path.push(entry.template.clone());
            return Err(ProjectError::InvalidField {
                location: location(),
                context: "inherit".into(),
                message: format!("cyclic template inheritance: {}", path.join(" -> ")),
            });
        }
        path.push(entry.template.clone());
        let (mut source, source_layers) = inherit(
            template.clone(),
            template_layers.clone(),
            templates,
            &[],
            path,
        )?;
        path.pop();
        if let Some(mapping) = source.as_mapping_mut() {
            for field in &entry.except {
                const ALLOWED: [&str; 7] = [
                    "labels",
                    "values",
                    "valuesTemplate",
                    "setTemplate",
                    "set",
                    "setString",
                    "secrets",
                ];
                if !ALLOWED.contains(&field.as_str()) {
                    return Err(ProjectError::InvalidField {
                        location: location(),
                        context: "inherit".into(),
                        message: format!(
                            "\"{field}\" cannot be excepted; allowed: {}",
                            ALLOWED.join(", ")
                        ),
                    });
                }
                mapping.remove(field.as_str());
            }
        }
        merge(&mut merged, source, Policy::State);
        merged_layers.extend(&source_layers);
    }
    merge(&mut merged, release, Policy::State);
    merged_layers.extend(&layers);
    Ok((merged, merged_layers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Release;
    use crate::project::test_support::project_in;

    fn load(files: &[(&str, &str)], environment: &str) -> Project {
        let dir = project_in(files);
        Project::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            environment: environment.into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn release_names(project: &Project) -> Vec<&str> {
        project.releases.iter().map(Release::name).collect()
    }

    fn values_yaml(project: &Project) -> String {
        serde_yaml::to_string(&project.environment.values).unwrap_or_default()
    }

    #[test]
    fn bases_append_beneath_their_part() {
        let project = load(
            &[
                ("base.yaml", "releases:\n- name: from-base\n  chart: ./c\n"),
                (
                    "helmfile.yaml",
                    "bases: [base.yaml]\nreleases:\n- name: one\n  chart: ./c\n",
                ),
            ],
            "default",
        );
        let names = release_names(&project);
        assert_eq!(names, ["from-base", "one"]);
        let locations: Vec<String> = project
            .releases
            .iter()
            .map(|r| r.location.to_string())
            .collect();
        assert_eq!(locations, ["base.yaml:2:3", "helmfile.yaml:3:3"]);
    }

    #[test]
    fn later_bases_and_the_file_override_earlier_ones_as_in_helmfile_1() {
        // pkg/state/create.go loadBases: mergo with append and override; environments merged
        // field by field (values and secrets appended, kubeContext overridden); a template
        // replaced whole.
        let project = load(
            &[
                (
                    "base.yaml",
                    "helmDefaults: {timeout: 100, wait: true}\nenvironments:\n  default:\n    kubeContext: base\n    values: [{a: base, b: base}]\ntemplates:\n  t: {namespace: from-base, wait: true}\n",
                ),
                (
                    "helmfile.yaml",
                    "bases: [base.yaml]\nhelmDefaults: {timeout: 200}\nenvironments:\n  default:\n    kubeContext: file\n    values: [{b: file}]\ntemplates:\n  t: {namespace: from-file}\nreleases:\n- name: r\n  chart: ./c\n  inherit: [{template: t}]\n",
                ),
            ],
            "default",
        );
        let defaults = &project.states[0].helm_defaults;
        assert_eq!((defaults.timeout, defaults.wait), (Some(200), Some(true)));
        assert_eq!(project.environment.kube_context.as_deref(), Some("file"));
        assert_eq!(values_yaml(&project), "a: base\nb: file\n");
        let spec = &project.releases[0].spec;
        assert_eq!(
            (spec.namespace.as_deref(), spec.wait),
            (Some("from-file"), None)
        );
    }

    #[test]
    fn a_sub_helmfile_without_the_environment_is_skipped() {
        // Helmfile 0.166 leaves such a file out silently, unless it declares no environments
        // and its entry passes values.
        let project = load(
            &[
                (
                    "helmfile.yaml",
                    "environments:\n  staging: {}\nhelmfiles:\n- path: plain.yaml\n- path: own.yaml\n  values: [{x: 1}]\n- path: given.yaml\n  values: [{x: 1}]\n- path: given-empty.yaml\n  values: [{}]\n- path: shared.yaml\n---\nreleases:\n- name: root\n  chart: ./c\n",
                ),
                ("plain.yaml", "releases:\n- name: plain\n  chart: ./c\n"),
                ("given.yaml", "releases:\n- name: given\n  chart: ./c\n"),
                // `values: [{}]` passes values too: Helmfile counts the entries.
                (
                    "given-empty.yaml",
                    "releases:\n- name: given-empty\n  chart: ./c\n",
                ),
                (
                    "own.yaml",
                    "environments:\n  default: {}\n---\nreleases:\n- name: own\n  chart: ./c\n",
                ),
                (
                    "shared.yaml",
                    "environments:\n  staging: {}\n---\nreleases:\n- name: shared\n  chart: ./c\n",
                ),
            ],
            "staging",
        );
        let names = release_names(&project);
        assert_eq!(names, ["root", "given", "given-empty", "shared"]);
        let notes: Vec<String> = project
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect();
        assert_eq!(
            notes,
            [
                "plain.yaml: sub-helmfile skipped: it does not define environment \"staging\" (as Helmfile does)",
                "own.yaml: sub-helmfile skipped: it does not define environment \"staging\" (as Helmfile does)",
            ]
        );
    }

    #[test]
    fn an_empty_environment_values_file_adds_nothing() {
        let project = load(
            &[
                (
                    "helmfile.yaml",
                    "environments:\n  demo:\n    values: [base.yaml, empty.yaml.gotmpl, empty.yaml]\n",
                ),
                ("base.yaml", "cluster: {mode: ingress}\n"),
                ("empty.yaml.gotmpl", ""),
                ("empty.yaml", "---\n"),
            ],
            "demo",
        );
        assert_eq!(values_yaml(&project), "cluster:\n  mode: ingress\n");
    }

    #[test]
    fn a_later_part_replaces_the_releases_of_earlier_parts() {
        // Helmfile merges `---` parts with override semantics: a non-empty list replaces.
        let project = load(
            &[(
                "helmfile.yaml",
                "releases:\n- name: one\n  chart: ./c\n---\nreleases:\n- name: two\n  chart: ./c\n---\nrepositories: []\n",
            )],
            "default",
        );
        let names = release_names(&project);
        assert_eq!(names, ["two"]);
        assert_eq!(
            project.releases[0].location.to_string(),
            "helmfile.yaml:6:3"
        );
    }

    #[test]
    fn state_values_layer_root_then_environment_then_command_line() {
        let dir = project_in(&[(
            "helmfile.yaml",
            "values: [{a: root, b: root, c: root}]\nenvironments:\n  prod:\n    values: [{b: env, c: env}]\n",
        )]);
        let project = Project::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            environment: "prod".into(),
            state_values_set: vec!["c=cli".into()],
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(values_yaml(&project), "a: root\nb: env\nc: cli\n");
    }

    #[test]
    fn templates_are_inherited_with_except_and_lists_appended() {
        let project = load(
            &[(
                "helmfile.yaml",
                "templates:\n  t:\n    namespace: ns\n    wait: true\n    values: [{x: 1}]\n    labels: {from: template}\nreleases:\n- name: r\n  chart: ./c\n  wait: false\n  values: [{y: 2}]\n  inherit:\n  - template: t\n    except: [labels]\n",
            )],
            "default",
        );
        let spec = &project.releases[0].spec;
        assert_eq!(spec.namespace.as_deref(), Some("ns"));
        assert_eq!(
            spec.wait,
            Some(false),
            "the release overrides the template (mergo's WithSliceDeepCopy implies override)"
        );
        assert_eq!(
            serde_yaml::to_string(&spec.values).unwrap_or_default(),
            "- x: 1\n- y: 2\n"
        );
        let labels: Vec<&str> = spec.labels.keys().map(String::as_str).collect();
        assert_eq!(
            labels,
            ["chart", "name", "namespace"],
            "only Helmfile 1.x's automatic labels: the template's were excepted"
        );
    }

    #[test]
    fn undefined_template_is_an_error_with_a_suggestion() {
        let dir = project_in(&[(
            "helmfile.yaml",
            "templates:\n  default: {}\nreleases:\n- name: r\n  chart: ./c\n  inherit:\n  - template: defualt\n",
        )]);
        let error = Project::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            environment: "default".into(),
            ..Default::default()
        })
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "helmfile.yaml:6:3: inherit: template \"defualt\" is not defined under `templates:` (did you mean \"default\"?)"
            )
        );
    }
}
