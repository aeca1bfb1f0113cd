"""The read API's views: thin, read-only (GET, HEAD, OPTIONS; anything else 405),
each list paginated, every request audited (``audit.AuditedMixin``)."""

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


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


class ReadOnlyViewSet(AuditedMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"

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
