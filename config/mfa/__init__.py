"""Two-step sign-in (MFA): who must use it, enrolment, the code after the password, the reset."""
