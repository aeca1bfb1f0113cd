"""The read API's views: thin, read-only (GET, HEAD, OPTIONS; anything else 405),
each list paginated, every request audited (``audit.AuditedMixin``)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import queries, serializers
from api.audit import AuditedMixin
from conversations.models import Idea

CAMPAIGN_FILTER = OpenApiParameter(
    "campaign", OpenApiTypes.INT, description="Only this campaign's."
)


# The largest key a row can have (a 64-bit integer): a larger one names nothing, and
# SQLite cannot even be asked about it.
LARGEST_ID = 2**63 - 1


def _int_param(request, name: str) -> int | None:
    """An id filter: None when absent or not a number; 0 (no row's id) when out of
    range, so it matches nothing rather than failing."""
    value = request.query_params.get(name, "")
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if int(value) <= LARGEST_ID else 0


class ReadOnlyViewSet(AuditedMixin, viewsets.ReadOnlyModelViewSet):
    # Any path segment reaches the view, so a key that is not a number gets the API's
    # own JSON 404, not the site's HTML page.
    lookup_value_regex = r"[^/]+"

    def get_object(self):
        key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not (key.isascii() and key.isdigit()) or int(key) > LARGEST_ID:
            raise Http404
        return super().get_object()

    @property
    def reader(self):
        return self.request.user


class CampaignViewSet(ReadOnlyViewSet):
    """Published campaigns open to the whole organisation (never team boards)."""

    serializer_class = serializers.CampaignSerializer

    def get_queryset(self):
        return queries.campaigns(self.reader)

    @extend_schema(responses=serializers.FiguresSerializer)
    @action(detail=True)
    def figures(self, request, pk=None):
        """Participation figures as the analytics page publishes them: small groups
        suppressed (fewer than the threshold is null, hidden groups are in
        ``others``)."""
        campaign = self.get_object()
        data, frozen = queries.participation(campaign)
        return Response(
            serializers.FiguresSerializer(
                {**data, "campaign": campaign.pk, "frozen": frozen}
            ).data
        )


@extend_schema_view(list=extend_schema(parameters=[CAMPAIGN_FILTER]))
class ThemeViewSet(ReadOnlyViewSet):
    serializer_class = serializers.ThemeSerializer

    def get_queryset(self):
        found = queries.themes(self.reader)
        campaign = _int_param(self.request, "campaign")
        return found if campaign is None else found.filter(campaign_id=campaign)


def _filtered_ideas(view):
    found = queries.ideas(view.reader)
    campaign = _int_param(view.request, "campaign")
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    theme = _int_param(view.request, "theme")
    if theme is not None:
        found = found.filter(theme_id=theme)
    status = view.request.query_params.get("status", "")
    if status in Idea.Status.values:
        found = found.filter(status=status)
    return found


IDEA_FILTERS = [
    CAMPAIGN_FILTER,
    OpenApiParameter("theme", OpenApiTypes.INT, description="Only this theme's."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Idea.Status.values),
]


@extend_schema_view(list=extend_schema(parameters=IDEA_FILTERS))
class IdeaViewSet(ReadOnlyViewSet):
    """Ideas everyone may see; an anonymous author is never given."""

    serializer_class = serializers.IdeaSerializer

    def get_queryset(self):
        return _filtered_ideas(self)


@extend_schema_view(list=extend_schema(parameters=IDEA_FILTERS))
class TallyViewSet(ReadOnlyViewSet):
    """Support and don't-support counts per visible idea."""

    serializer_class = serializers.TallySerializer
    lookup_field = "pk"
    lookup_url_kwarg = "idea"

    def get_queryset(self):
        return _filtered_ideas(self).select_related(None).only("id", "campaign_id")


@extend_schema_view(list=extend_schema(parameters=[CAMPAIGN_FILTER]))
class ReportViewSet(ReadOnlyViewSet):
    """Published action reports and their actions."""

    serializer_class = serializers.ReportSerializer

    def get_queryset(self):
        found = queries.reports(self.reader)
        campaign = _int_param(self.request, "campaign")
        return found if campaign is None else found.filter(campaign_id=campaign)
