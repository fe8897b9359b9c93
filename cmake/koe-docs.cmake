# The manual page (koe.1, and koe.1.gz to install) and the bash completion (koe.bash), printed
# by the koe executable from its own option descriptions at build time.
set(KOE_MAN_PAGE ${PROJECT_BINARY_DIR}/koe.1)
set(KOE_BASH_COMPLETION ${PROJECT_BINARY_DIR}/koe.bash)
add_custom_command(
  OUTPUT ${KOE_MAN_PAGE} ${KOE_MAN_PAGE}.gz
  COMMAND sh -c "\"$0\" man > \"$1\" && gzip -9nc \"$1\" > \"$1.gz\""
          $<TARGET_FILE:koe_cli> ${KOE_MAN_PAGE}
  DEPENDS koe_cli
  COMMENT "Writing the koe manual page"
  VERBATIM)
add_custom_command(
  OUTPUT ${KOE_BASH_COMPLETION}
  COMMAND sh -c "\"$0\" completion bash > \"$1\"" $<TARGET_FILE:koe_cli> ${KOE_BASH_COMPLETION}
  DEPENDS koe_cli
  COMMENT "Writing the koe bash completion"
  VERBATIM)
# The release notes, as Debian keeps them: /usr/share/doc/koe/changelog.gz.
set(KOE_CHANGELOG ${PROJECT_BINARY_DIR}/changelog.gz)
add_custom_command(
  OUTPUT ${KOE_CHANGELOG}
  COMMAND sh -c "gzip -9nc \"$0\" > \"$1\"" ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${KOE_CHANGELOG}
  DEPENDS ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  VERBATIM)
add_custom_target(koe_docs ALL DEPENDS ${KOE_MAN_PAGE} ${KOE_MAN_PAGE}.gz ${KOE_BASH_COMPLETION}
                                       ${KOE_CHANGELOG})
