"""Every city-staff page, in one place: residents and cards, card readers, the audit log,
lecturer applications and vetting, and the figure of course circles that live on."""
