from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; also rewrites ES module imports to hashed names."""

    support_js_module_import_aggregation = True
    # The vendored NHS.UK CSS points at absolute /assets/ paths we do not serve;
    # leave unknown references alone rather than failing collectstatic.
    manifest_strict = False
