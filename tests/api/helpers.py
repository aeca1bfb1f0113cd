"""Reading every endpoint of the API, every page, as a reporting tool would."""

LISTS = ["campaigns", "themes", "ideas", "tallies", "reports"]


def _pages(api, url: str) -> list[dict]:
    found = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        found.append(body)
        url = body.get("next")
    return found


def read_everything(api) -> dict[str, list]:
    """Each endpoint's pages, each detail page, and each campaign's figures."""
    seen: dict[str, list] = {}
    for name in LISTS:
        pages = _pages(api, f"/api/v1/{name}/?page_size=2")
        seen[name] = [item for page in pages for item in page["results"]]
        seen[f"{name} pages"] = pages
        for item in seen[name]:
            key = item.get("id", item.get("idea"))
            seen.setdefault(f"{name} details", []).append(
                api.get(f"/api/v1/{name}/{key}/").json()
            )
    seen["figures"] = [
        api.get(f"/api/v1/campaigns/{c['id']}/figures/").json()
        for c in seen["campaigns"]
    ]
    return seen


def values_under(data, keys: set[str]) -> list:
    """Every value held under one of ``keys`` anywhere in ``data``."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in keys:
                found.append(value)
            found += values_under(value, keys)
    elif isinstance(data, list):
        for value in data:
            found += values_under(value, keys)
    return found
