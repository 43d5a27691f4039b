"""paperhub_forms' `tied`: a refused form's fields tied to what was wrong, as a screen reader reads them."""

from django import forms

from paperhub.web.templatetags.paperhub_forms import FORM_ERRORS, tied


class Login(forms.Form):
    username = forms.CharField(help_text="Your name on the hub.")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"aria-describedby": "caps-lock-hint"}))

    def clean(self) -> dict:
        raise forms.ValidationError("Please enter a correct username and password.")


def test_an_untouched_form_is_drawn_as_django_draws_it():
    form = Login()
    assert str(tied(form["username"])) == form["username"].as_widget()
    assert "aria-invalid" not in str(tied(form["password"]))


def test_a_form_refused_as_a_whole_marks_every_field_and_keeps_each_ones_descriptions():
    form = Login(data={"username": "ada", "password": "wrong"})
    assert not form.is_valid()
    username, password = str(tied(form["username"])), str(tied(form["password"]))
    assert 'aria-invalid="true"' in username and 'aria-invalid="true"' in password
    assert f'aria-describedby="id_username_helptext {FORM_ERRORS}"' in username  # Django's help text id, kept
    assert f'aria-describedby="caps-lock-hint {FORM_ERRORS}"' in password  # the widget's own ids, kept
    assert "autofocus" in username and "autofocus" not in password  # the first wrong field takes the focus


def test_a_wrong_field_takes_the_focus_and_django_ties_its_own_error():
    form = Login(data={"username": "", "password": "x"})
    form.is_valid()
    username = str(tied(form["username"]))
    assert "autofocus" in username and "id_username_error" in username
