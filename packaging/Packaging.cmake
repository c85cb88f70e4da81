# Install rules and a CPack .deb, so packaging follows from the targets themselves.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sweet-workbench)
if(SWEET_WITH_GUI)
  install(FILES ${CMAKE_SOURCE_DIR}/packaging/sweet-workbench.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sweet-workbench)
set(CPACK_PACKAGE_CONTACT "SWEET Workbench developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workbench for adaptive-inference (early-exit) NLP research")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
