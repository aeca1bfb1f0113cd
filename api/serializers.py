"""What each resource says. Field names stay English; no email, and an idea's
author only where colleagues see a name (``queries.author_name``)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import queries
from conversations.models import Campaign, CampaignStatus, Idea, Theme
from reports.models import Action, ActionReport


class CampaignSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "slug", "title", "opens_at", "closes_at", "status"]

    @extend_schema_field(serializers.ChoiceField(choices=CampaignStatus.choices))
    def get_status(self, campaign: Campaign) -> str:
        return campaign.status(timezone.now())


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "campaign", "name", "position"]


class IdeaSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(
        help_text="The name colleagues see; null for anonymous ideas and "
        "contributions entered on behalf of staff."
    )
    anonymous = serializers.BooleanField(source="is_anonymous")
    source = serializers.ChoiceField(
        choices=Idea.Source.choices,
        allow_blank=True,
        help_text="Where a contribution entered on behalf of staff was collected; "
        "blank for ideas posted by staff.",
    )
    support = serializers.IntegerField()
    dont_support = serializers.IntegerField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "campaign",
            "theme",
            "title",
            "body",
            "status",
            "status_note",
            "author",
            "anonymous",
            "source",
            "collected_on",
            "comment_count",
            "support",
            "dont_support",
            "created_at",
        ]

    def get_author(self, idea: Idea) -> str | None:
        return queries.author_name(idea)


class TallySerializer(serializers.ModelSerializer):
    idea = serializers.IntegerField(source="pk")
    support = serializers.IntegerField()
    dont_support = serializers.IntegerField()

    class Meta:
        model = Idea
        fields = ["idea", "campaign", "support", "dont_support"]


class ActionSerializer(serializers.ModelSerializer):
    theme = serializers.CharField(source="theme.name", allow_null=True, default=None)
    ideas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "theme",
            "ideas",
        ]


class ReportSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = ActionReport
        fields = ["id", "campaign", "title", "summary", "published_at", "actions"]


# -- participation figures (as reports.figures publishes them) ----------------------


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(source="from")
    end = serializers.DateField(source="to")
    people = serializers.IntegerField(
        allow_null=True, help_text="New people; null: fewer than the threshold."
    )


class GroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    people = serializers.IntegerField()
    headcount = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=["directorate", "staff_group", "band"])
    groups = GroupSerializer(many=True, help_text="Groups at or over the threshold.")
    others = serializers.IntegerField(
        allow_null=True, help_text="Everyone else together (never a small number)."
    )
    hidden = serializers.BooleanField()


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    ideas = serializers.IntegerField()
    comments = serializers.IntegerField()
    votes = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    frozen = serializers.BooleanField(
        help_text="True: the figures frozen in the published report."
    )
    threshold = serializers.IntegerField()
    people = serializers.IntegerField(
        allow_null=True, help_text="People taking part; null: fewer than the threshold."
    )
    ideas = serializers.IntegerField()
    comments = serializers.IntegerField()
    votes = serializers.IntegerField()
    headcount = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    counted_until = serializers.DateField(allow_null=True)
    timeline = DaySerializer(many=True)
    newcomers = PeriodSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
