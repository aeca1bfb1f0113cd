from django import forms

from notifications.topics import TOPICS, Delivery


class PreferencesForm(forms.Form):
    """One choice of delivery per topic."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for topic in TOPICS:
            self.fields[topic.key] = forms.ChoiceField(
                label=topic.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
            )
