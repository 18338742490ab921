# Examples and tests of the C ABI and the C++ wrapper (included by the top-level CMakeLists.txt).
# The header must compile warning-free as C99 and C++17.
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set(SPYKER_WARN_C -Wall -Wextra -Werror -pedantic)
  set(SPYKER_WARN_CXX -Wall -Wextra -Werror)
endif()

function(spyker_c_program name source lib)
  add_executable(${name} ${source})
  set_target_properties(${name} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(${name} PRIVATE ${SPYKER_WARN_C})
  target_link_libraries(${name} PRIVATE ${lib})
endfunction()

spyker_c_program(spyker_example_c examples/c/basic.c spyker::spyker)
spyker_c_program(spyker_example_c_static examples/c/basic.c spyker::static)
spyker_c_program(spyker_invalid_calls tests/ffi/invalid_calls.c spyker::spyker)

add_executable(spyker_example_cpp examples/cpp/basic.cpp)
set_target_properties(spyker_example_cpp PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(spyker_example_cpp PRIVATE ${SPYKER_WARN_CXX})
target_link_libraries(spyker_example_cpp PRIVATE spyker::cpp)

# The C++ API's error contract over the bridge (status categories, empty objects, UTF-8).
add_executable(spyker_cpp_errors tests/ffi/cpp_errors.cpp)
set_target_properties(spyker_cpp_errors PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(spyker_cpp_errors PRIVATE ${SPYKER_WARN_CXX})
target_link_libraries(spyker_cpp_errors PRIVATE spyker::cpp)

# The STDP examples on the bundled digits (small subsets so that ctest takes seconds).
foreach(_ex stdp_mnist mozafari)
  add_executable(spyker_${_ex} examples/cpp/${_ex}.cpp)
  set_target_properties(spyker_${_ex} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(spyker_${_ex} PRIVATE ${SPYKER_WARN_CXX})
  target_link_libraries(spyker_${_ex} PRIVATE spyker::cpp)
endforeach()
set(SPYKER_MNIST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/data/mnist10k)

# The plain C header included from C++ (extern "C", enums with int32_t base).
add_executable(spyker_header_cpp tests/ffi/header_cpp.cpp)
set_target_properties(spyker_header_cpp PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(spyker_header_cpp PRIVATE ${SPYKER_WARN_CXX})
target_link_libraries(spyker_header_cpp PRIVATE spyker::spyker)

add_test(NAME c_example COMMAND spyker_example_c)
add_test(NAME c_example_static COMMAND spyker_example_c_static)
add_test(NAME cpp_example COMMAND spyker_example_cpp)
add_test(NAME cpp_errors COMMAND spyker_cpp_errors)
add_test(NAME c_invalid_calls COMMAND spyker_invalid_calls)
add_test(NAME cpp_header COMMAND spyker_header_cpp)
add_test(NAME cpp_stdp_mnist COMMAND spyker_stdp_mnist ${SPYKER_MNIST_DIR} 256 16
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME cpp_mozafari COMMAND spyker_mozafari ${SPYKER_MNIST_DIR} 128 64 2 10)

find_program(VALGRIND_EXECUTABLE valgrind)
if(VALGRIND_EXECUTABLE)
  # Definite and indirect leaks and every invalid access fail the test; the Rust thread pool and
  # its thread stacks stay alive until exit ("still reachable" / "possibly lost") by design.
  set(_vg ${VALGRIND_EXECUTABLE} --error-exitcode=1 --leak-check=full
          --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
  add_test(NAME valgrind_c_example COMMAND ${_vg} $<TARGET_FILE:spyker_example_c>)
  add_test(NAME valgrind_cpp_example COMMAND ${_vg} $<TARGET_FILE:spyker_example_cpp>)
  add_test(NAME valgrind_cpp_errors COMMAND ${_vg} $<TARGET_FILE:spyker_cpp_errors>)
  add_test(NAME valgrind_c_invalid_calls COMMAND ${_vg} $<TARGET_FILE:spyker_invalid_calls>)
  add_test(NAME valgrind_cpp_stdp_mnist
           COMMAND ${_vg} $<TARGET_FILE:spyker_stdp_mnist> ${SPYKER_MNIST_DIR} 64 4
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endif()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME python_ctypes
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/ffi/test_ctypes.py
                   ${SPYKER_LIB_DIR}/libspyker.so)
endif()

# A separate project that installs this one into a scratch prefix and consumes it with
# find_package(spyker) and pkg-config.
add_test(NAME find_package_consumer
         COMMAND ${CMAKE_COMMAND}
                 -DSPYKER_BUILD_DIR=${CMAKE_BINARY_DIR}
                 -DCONSUMER_SOURCE=${CMAKE_CURRENT_SOURCE_DIR}/tests/ffi/consumer
                 -DWORK_DIR=${CMAKE_BINARY_DIR}/consumer
                 -DC_COMPILER=${CMAKE_C_COMPILER}
                 -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/ffi/consumer/run.cmake)
