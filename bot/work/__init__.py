"""WeCom for staff: guides' and engineers' commands, customer-contact events, the morning
digest, and community-group posts."""
