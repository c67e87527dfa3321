from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """People join through their organisation's invitation; there is no open sign-up."""

    def is_open_for_signup(self, request: object) -> bool:
        return False
